"""Hostile and careless input from every side: never a secret, a traceback or clear text out.

Each test names the promise it keeps; each fails when that promise is
taken out of the client. The `run` fixture checks every run's output for
the token and credentials.
"""

import json
import os
import platform
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, assert_no_secret, clean_environment, demo_credentials, env_for
from fake_sipgate import DEMO_TOKEN, DEMO_TOKEN_ID
from sipgate_basic.errors import INTERRUPTED, STATUS_CAUSES, WRITE_ERROR


def refused(result, fake, words):
    assert result.code == 2, result
    assert words in result.err, result
    assert result.err.count("\n") == 1 and "Traceback" not in result.output
    assert fake.requests == [], "something was sent"


# --- Clear text only to loopback, judged on the host the connection uses ----

@pytest.mark.promise("clear-text")
@pytest.mark.parametrize("url,words", [
    ("http://NAME[::1]:{port}/v2", "is not a host name"),
    ("http://[::1]NAME:{port}/v2", "text after the IPv6 address"),
    ("http://127.0.0.1.nip.io:{port}/v2", "uses http:// to 127.0.0.1.nip.io"),
    ("http://127.1:{port}/v2", "uses http:// to 127.1"),
    ("http://[::ffff:127.0.0.1]:{port}/v2", "uses http:// to ::ffff:127.0.0.1"),
    ("http://[fe80::1%25lo]:{port}/v2", "not an IPv6 address"),
    ("http://127.0.0.1 :{port}/v2", "is not a host name"),
    ("http://127.0.0.1\t:{port}/v2", "is not a host name"),
    ("http://127.0.0.1:{port}/v\n2", "the path holds a space"),
    ("http://127.0.0.1:{port}/v 2", "the path holds a space"),
    ("http://127.0.0.1:/v2", "the port is not a number"),
    ("http://127.0.0.1:+80/v2", "the port is not a number"),
    ("http://127.0.0.1:８０/v2", "the port is not a number"),
    ("http://127.0.0.1:0/v2", "the port is not a number"),
    ("http://lòcalhost:{port}/v2", "not ASCII"),
    ("https://bücher.example/v2", "not ASCII: write it in its ASCII form (xn--...)"),
    ("https://api.sipgate.com/v2/ä", "outside ASCII"),
    ("https://api.sipgate.com/v2?x=1", "a query or fragment does not belong"),
    ("https:///v2", "it has no host"),
    ("https://user@api.sipgate.com/v2", "a user or password does not belong"),
    ("http://localhost@evil.example:{port}/v2", "a user or password does not belong"),
])
def test_base_url_is_checked_piece_by_piece(run, fake, url, words):
    result = run(env=env_for(fake, SIPGATE_BASE_URL=url.format(port=fake.port)))
    refused(result, fake, words)
    assert "evil" not in result.err or "@" not in result.err


@pytest.mark.parametrize("url", ["http://[::1]:{port}/v2", "http://LOCALHOST:{port}/v2",
                                 "HTTP://127.0.0.1:{port}/v2", "http://127.0.0.1:{port}"])
def test_loopback_forms_that_are_allowed(run, fake, url):
    result = run(env=env_for(fake, SIPGATE_BASE_URL=url.format(port=fake.port)))
    # [::1] reaches nothing here (the fake is on 127.0.0.1 only): refused, not exit 2.
    assert result.code in (0, 4, 5), result
    assert "Traceback" not in result.output


# --- Values that are not text -------------------------------------------------

@pytest.mark.promise("no-traceback")
@pytest.mark.parametrize("variable", ["SIPGATE_TOKEN", "SIPGATE_TOKEN_ID", "SIPGATE_BASE_URL"])
def test_undecodable_bytes_in_the_environment(run, fake, variable):
    # "\udcff" is how Python hands over the byte 0xff from a POSIX environment.
    result = run(env=env_for(fake, **{variable: "abc\udcffdef"}))
    refused(result, fake, "%s (environment) holds bytes that are not UTF-8 text" % variable)


def test_control_characters_from_a_flag_are_escaped(run, fake):
    result = run("--env-file", "x\x1b[2J\x07\u202e.env", env=env_for(fake))
    refused(result, fake, "x\\x1b[2J\\x07\\u202e.env: no such file")
    for character in "\x1b\x07\u202e":
        assert character not in result.output


@pytest.mark.promise("no-secret-is-printed")
def test_a_token_pasted_into_the_base_url_is_hidden(run, fake):
    pasted = DEMO_TOKEN.replace("-", "")
    result = run("--offline", env=env_for(fake, SIPGATE_BASE_URL="https://%s.example/v2" % pasted))
    assert result.code == 0, result
    assert "Host: <hidden>.example" in result.out and pasted not in result.output


def test_a_token_id_not_in_its_form_is_not_shown(run, fake):
    result = run("--offline", env=env_for(fake, SIPGATE_TOKEN_ID="token-DEMO01 " + DEMO_TOKEN))
    assert result.code == 0, result
    assert "Authorization: Basic <hidden: Base64 of ...afa6:...afa6>" in result.out


# --- Time: --timeout has a bound, and bounds everything -----------------------

@pytest.mark.promise("timeout")
def test_timeout_1_ends_within_about_1_5_s_against_a_silent_server(run, fake):
    fake.mode = "silent"
    started = time.time()
    result = run("--timeout", "1", env=env_for(fake))
    elapsed = time.time() - started
    assert result.code == 5, result
    assert 1.0 <= elapsed < 1.6, elapsed


WRAPPER = """
import runpy, socket, sys, time
real = socket.getaddrinfo
def stalled(*args, **kwargs):
    time.sleep(30)  # a resolver that never answers
    return real(*args, **kwargs)
socket.getaddrinfo = stalled
sys.argv = ["sipgate_basic"] + sys.argv[1:]
runpy.run_module("sipgate_basic", run_name="__main__", alter_sys=True)
"""


@pytest.mark.promise("timeout")
def test_a_stalled_name_lookup_is_bounded(tmp_path):
    env = clean_environment(SIPGATE_BASE_URL="https://api.sipgate.test/v2",
                            SIPGATE_TOKEN_ID=DEMO_TOKEN_ID, SIPGATE_TOKEN=DEMO_TOKEN)
    started = time.time()
    completed = subprocess.run([sys.executable, "-c", WRAPPER, "--timeout", "1"], env=env,
                               cwd=str(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    elapsed = time.time() - started
    assert completed.returncode == 5, completed.stderr
    assert completed.stderr == ("sipgate_basic: timed out after 1 s: no complete response from "
                                "api.sipgate.test (--timeout)\n")
    assert elapsed < 2.5, elapsed


# --- Ctrl-C, from the first line of __main__ on --------------------------------

# Imports that stall in a finaliser, where a KeyboardInterrupt is printed
# and lost; test_zipapp uses it too.
STALLING_IMPORTS = """
import os, runpy, sys, time

class Stall(object):
    '''Sleeps in a finaliser, where a KeyboardInterrupt is printed and lost.'''
    def __del__(self):
        open(os.environ["MARKER"], "w").close()
        time.sleep(5)

class SlowFinder(object):
    def find_spec(self, name, path=None, target=None):
        if name == "sipgate_basic.client":
            stall = Stall()
            del stall  # the finaliser runs here, in the middle of the imports
        return None

sys.meta_path.insert(0, SlowFinder())
"""
SLOW_IMPORT = STALLING_IMPORTS + """
sys.argv = ["sipgate_basic"] + sys.argv[1:]
runpy.run_module("sipgate_basic", run_name="__main__", alter_sys=True)
"""


def default_ctrl_c():
    """In the child: Ctrl-C as a terminal gives it (background jobs start with it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ctrl_c_during_the_imports(command, env, cwd):
    """Run `command` (a Python that imports through STALLING_IMPORTS), press Ctrl-C
    once the imports reach sipgate_basic.client: (exit code, out, err, seconds after)."""
    marker = os.path.join(cwd, "importing")
    process = subprocess.Popen(command, cwd=cwd, env=dict(env, MARKER=marker),
                               preexec_fn=default_ctrl_c, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True)
    deadline = time.time() + 20
    while not os.path.exists(marker) and time.time() < deadline:
        time.sleep(0.01)
    assert os.path.exists(marker), "the imports never reached sipgate_basic.client"
    sent = time.time()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err, time.time() - sent


@pytest.mark.promise("ctrl-c")
def test_ctrl_c_during_the_imports_ends_at_once(fake, tmp_path):
    code, out, err, seconds = ctrl_c_during_the_imports(
        [sys.executable, "-c", SLOW_IMPORT], clean_environment(**env_for(fake)), str(tmp_path))
    assert code == INTERRUPTED, err
    assert seconds < 2, "Ctrl-C was lost and the program went on"
    assert err == "sipgate_basic: interrupted\n"
    assert out == "" and fake.requests == []


def ignore_ctrl_c():
    """In the child: Ctrl-C ignored, as a shell starts a background job."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.promise("ctrl-c")
@pytest.mark.skipif(platform.python_implementation() == "PyPy",
                    reason="PyPy puts its own Ctrl-C handler in place of the shell's choice "
                           "before any code runs: it cannot be honoured there (README, Ctrl-C)")
def test_ctrl_c_that_the_shell_ignores_stays_ignored(fake, tmp_path):
    fake.mode = "silent"
    process = subprocess.Popen(
        [sys.executable, "-m", "sipgate_basic", "--timeout", "2"], cwd=str(tmp_path),
        env=clean_environment(**env_for(fake)), preexec_fn=ignore_ctrl_c,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    deadline = time.time() + 20
    while not fake.requests and time.time() < deadline:
        time.sleep(0.01)
    assert fake.requests, "the client never sent its request"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 5, err  # the timeout ended it, not Ctrl-C
    assert err.startswith("sipgate_basic: ") and "timed out after" in err, err


@pytest.mark.promise("no-traceback")
def test_an_internal_error_is_named_by_its_kind_only(fake, tmp_path):
    code = ("import sys, sipgate_basic.client as client, sipgate_basic.cli as cli\n"
            "def build_request(config):\n"
            "    raise RuntimeError(%r)\n"
            "client.build_request = build_request\n"
            "sys.exit(cli.main([]))\n" % ("internal detail " + DEMO_TOKEN))
    done = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path),
                          env=clean_environment(**env_for(fake)), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert done.returncode == 1, done
    assert done.stderr == ("sipgate_basic: unexpected internal error (RuntimeError); please "
                           "report it\n")
    assert done.stdout == "" and fake.requests == []


@pytest.mark.promise("import")
def test_import_sipgate_basic_loads_no_other_module():
    code = ("import sys; before = set(sys.modules); import sipgate_basic; "
            "print(sorted(set(sys.modules) - before))")
    out = subprocess.check_output([sys.executable, "-S", "-E", "-c", code], cwd=ROOT,
                                  universal_newlines=True)
    assert out == "['sipgate_basic']\n"


# --- Standard streams: closed, full, a broken pipe ------------------------------

def run_with_streams(args, env, **streams):
    completed = subprocess.run([sys.executable, "-m", "sipgate_basic"] + args, env=env,
                               universal_newlines=True, timeout=60, **streams)
    return completed


@pytest.mark.promise("no-traceback")
@pytest.mark.parametrize("args", [["--help"], ["--version"], []])
def test_standard_output_closed(fake, tmp_path, args):
    err = tmp_path / "err"
    with err.open("w") as stderr:
        completed = subprocess.run(
            "exec %s -m sipgate_basic %s >&-" % (sys.executable, " ".join(args)), shell=True,
            env=clean_environment(**env_for(fake)), cwd=str(tmp_path), stderr=stderr,
            timeout=60)
    text = err.read_text()
    assert completed.returncode == WRITE_ERROR, text
    assert text == "sipgate_basic: cannot write to standard output (it is closed)\n"


@pytest.mark.promise("no-traceback")
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_standard_output_full(fake, tmp_path):
    with open("/dev/full", "w") as full:
        completed = subprocess.run([sys.executable, "-m", "sipgate_basic"],
                                   env=clean_environment(**env_for(fake)), cwd=str(tmp_path),
                                   stdout=full, stderr=subprocess.PIPE,
                                   universal_newlines=True, timeout=60)
    assert completed.returncode == WRITE_ERROR
    assert completed.stderr == ("sipgate_basic: cannot write to standard output "
                                "(No space left on device)\n")


@pytest.mark.promise("no-traceback")
def test_standard_output_a_broken_pipe(fake, tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    try:
        completed = subprocess.run([sys.executable, "-m", "sipgate_basic"],
                                   env=clean_environment(**env_for(fake)), cwd=str(tmp_path),
                                   stdout=write_end, stderr=subprocess.PIPE,
                                   universal_newlines=True, timeout=60)
    finally:
        os.close(write_end)
    assert completed.returncode == WRITE_ERROR
    assert completed.stderr == ("sipgate_basic: cannot write to standard output "
                                "(broken pipe: the reader went away)\n")
    assert_no_secret(completed.stderr)


def test_standard_error_closed_keeps_the_exit_code(fake, tmp_path):
    completed = subprocess.run(
        "exec %s -m sipgate_basic 2>&-" % sys.executable, shell=True,
        env=clean_environment(**env_for(fake, SIPGATE_TOKEN="0a1b2c3d-0000-4000-8000-0000000000")),
        cwd=str(tmp_path), stdout=subprocess.PIPE, timeout=60)
    assert completed.returncode == 3
    assert completed.stdout == b""


# --- What a server sends back, however it is bent -------------------------------

B64 = demo_credentials()


@pytest.mark.promise("no-secret-is-printed")
@pytest.mark.parametrize("response", [
    # the Base64 credentials without their padding, in the reason phrase
    "HTTP/1.1 401 %s\r\nContent-Length: 0\r\n\r\n" % B64.rstrip("="),
    # %-encoded, in a redirect's Location
    "HTTP/1.1 302 Found\r\nLocation: /login?c=%s\r\nContent-Length: 0\r\n\r\n"
    % B64.replace("=", "%3D"),
    # across the 200th character, where a Location is cut
    "HTTP/1.1 302 Found\r\nLocation: /%s%s\r\nContent-Length: 0\r\n\r\n" % ("a" * 140, B64),
    # at the start of a body that is not JSON, of which 60 characters are shown
    "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(B64) + 9, B64 + " not json"),
    "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(DEMO_TOKEN) + 40,
                                                       "x" * 40 + DEMO_TOKEN),
    # in upper case
    "HTTP/1.1 401 %s\r\nContent-Length: 0\r\n\r\n" % DEMO_TOKEN.upper(),
    # URL-safe Base64, in a header --verbose shows
    "HTTP/1.1 401 Unauthorized\r\nX-A: %s\r\nContent-Length: 0\r\n\r\n"
    % B64.replace("+", "-").replace("/", "_"),
])
def test_a_secret_bent_or_cut_by_the_server_is_never_printed(run, raw_server, response):
    base_url = raw_server(response.encode("utf-8"))
    result = run("-v", env={"SIPGATE_BASE_URL": base_url, "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                            "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code in (1, 3, 4), result
    for part in (B64[:30], B64[-36:].rstrip("="), DEMO_TOKEN[:18], DEMO_TOKEN[-18:]):
        assert part.lower() not in result.output.lower()
    assert "<hidden>" in result.output


def test_a_token_pasted_as_the_token_id_is_masked_and_named(run, fake):
    pasted = "e68ead46-a7db-46cd-8a1a-44aed1e4e372"  # a token, where the ID belongs
    result = run("-v", env=env_for(fake, SIPGATE_TOKEN_ID=pasted))
    assert result.code == 3, result
    assert pasted not in result.output.replace("such as " + pasted, "")
    assert ("SIPGATE_TOKEN_ID (environment) looks like a token (a UUID), not a token ID, "
            "which looks like token-FQ1V12.") in result.err


def test_a_token_pasted_as_the_base_url_is_not_echoed(run, fake):
    result = run(env=env_for(fake, SIPGATE_BASE_URL=DEMO_TOKEN))
    refused(result, fake, "SIPGATE_BASE_URL (environment) is not a usable base URL")
    assert DEMO_TOKEN not in result.output


@pytest.mark.promise("body-limits")
@pytest.mark.promise("broken-connections")
@pytest.mark.parametrize("response,code,words", [
    # Content-Length counts unless Transfer-Encoding is exactly "chunked", as in http.client
    (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nTransfer-Encoding: xchunked\r\n\r\n"
     b'{"a":1}', 5, "broke off after 7 of the 1000 bytes it announced"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nTransfer-Encoding: chunked, identity"
     b'\r\n\r\n{"a":1}', 5, "broke off after 7 of the 1000 bytes it announced"),
    # a status other than 2xx says it all, whatever its body
    (b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 2000000\r\n\r\n" + b"x" * 100, 3,
     "HTTP 401 Unauthorized"),
    (b"HTTP/1.1 404 Not Found\r\nContent-Length: 15\r\n\r\nshort", 4, "HTTP 404 Not Found"),
    # two Content-Lengths that disagree; one byte short
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 50\r\n\r\n{}", 1,
     "has a Content-Length that is not one number"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n{\"a\":1}", 5,
     "broke off after 7 of the 8 bytes it announced"),
    # chunked, cut in the middle of a chunk, or before the last (empty) chunk
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"a\":1", 5,
     "broke off before the whole response arrived"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n", 5,
     "broke off before the whole response arrived"),
    # nothing but headers, then the close
    (b"HTTP/1.1 200 OK\r\nX", 1, "HTTP 200, but the response has no body"),
    # NaN is not JSON, whatever Python's json reads
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\": NaN}", 1,
     "HTTP 200, but the JSON holds NaN, which JSON does not allow"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"a\": 1e400}", 1,
     "HTTP 200, but the JSON holds a number too large for a float (1e400...)"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5007\r\n\r\n{\"a\": " + b"7" * 5000 + b"}", 1,
     "HTTP 200, but the JSON holds a number of more than 4300 digits"),
    # Transfer-Encoding not exactly "chunked": http.client reads by Content-Length
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked \r\nContent-Length: 500\r\n\r\n"
     b'{"a":1}', 5, "broke off after 7 of the 500 bytes it announced"),
    # a line end folded into a header must not start a line of its own
    (b"HTTP/1.1 302 Found\r\nLocation: http://[x\r\n sipgate_basic: fake second line\r\n"
     b"Content-Length: 0\r\n\r\n", 4, "HTTP 302 Found: the server redirects to"),
])
def test_bent_responses_get_their_own_exit_code_and_one_line(run, raw_server, response, code, words):
    base_url = raw_server(response)
    result = run(env={"SIPGATE_BASE_URL": base_url, "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                      "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == code, result
    assert words in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


@pytest.mark.parametrize("status,hinted", [(401, True), (403, False)])
def test_format_hints_follow_a_401_only(run, raw_server, status, hinted):
    base_url = raw_server(b"HTTP/1.1 %d Nope\r\nContent-Length: 0\r\n\r\n" % status)
    result = run(env={"SIPGATE_BASE_URL": base_url, "SIPGATE_TOKEN_ID": "me@example",
                      "SIPGATE_TOKEN": "pasted-something"})
    assert result.code == 3, result
    hints = (". SIPGATE_TOKEN_ID (environment) does not look like a token ID, which is token- "
             "and six letters or digits, such as token-FQ1V12. SIPGATE_TOKEN (environment) "
             "does not look like a Personal Access Token, which is a UUID such as "
             "e68ead46-a7db-46cd-8a1a-44aed1e4e372.")
    assert result.err == "sipgate_basic: HTTP %d Nope: %s%s\n" % (
        status, STATUS_CAUSES[status], hints if hinted else "")


@pytest.mark.parametrize("character", ["\u061c", "\u00ad", "\u2066", "\ufff9", "\U000e0041",
                                       "\x1b", "\x9b", "\u202e", "\u2028"])
def test_invisible_characters_from_a_server_are_escaped(run, raw_server, character):
    body = json.dumps({"company": "A%sB" % character}, ensure_ascii=False).encode("utf-8")
    base_url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    result = run(env={"SIPGATE_BASE_URL": base_url, "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                      "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == 0, result
    assert character not in result.output
    assert json.loads(result.out.split("\n", 1)[1]) == {"company": "A%sB" % character}


def test_a_line_end_in_a_flag_does_not_start_a_line(run, fake):
    result = run("--env-file", "/tmp/no\nsipgate_basic: fake", env=env_for(fake))
    refused(result, fake, "no such file")
    assert "\\nsipgate_basic: fake" in result.err


def test_a_host_name_longer_than_dns_allows(run, fake):
    result = run(env=env_for(fake, SIPGATE_BASE_URL="https://%s.example/v2" % ("a" * 64)))
    refused(result, fake, "is not a host name")


def limited_memory():
    """In the child: at most 1 GiB, so that reading an endless file fails fast."""
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.promise("env-file-errors")
def test_an_endless_env_file_is_not_read_whole(run, fake):
    result = run("--env-file", "/dev/zero", env=env_for(fake), timeout=30,
                 preexec_fn=limited_memory)
    refused(result, fake, "/dev/zero: is larger than 256 KiB")


def test_ssl_cert_file_that_is_a_pipe_is_refused_not_waited_on(run, tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    result = run("--timeout", "1", env={"SSL_CERT_FILE": fifo, "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                                       "SIPGATE_TOKEN": DEMO_TOKEN}, timeout=20)
    assert result.code == 2, result
    assert result.err == "sipgate_basic: SSL_CERT_FILE %s: is a pipe, not a file of CA " \
                         "certificates\n" % fifo


def test_cacert_that_cannot_be_used_stops_even_http_and_offline(run, fake, tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    for args in (["--cacert", "/nonexistent/ca.pem"], ["--offline", "--cacert", fifo]):
        result = run(*args, env=env_for(fake))
        refused(result, fake, "cannot be used as a CA certificate file (no such file)")


ODD_TOKEN = 't\u00f6k\u00e9n-"q\\x-1234567890'  # its JSON and repr forms differ from it


@pytest.mark.parametrize("body,args", [
    (json.dumps({"company": ODD_TOKEN}).encode(), []),                       # \u00f6 in JSON
    (json.dumps({"company": ODD_TOKEN}, ensure_ascii=False).encode(), ["--json"]),
    (("not json " + ODD_TOKEN).encode(), []),                               # shown by repr
])
def test_a_token_with_quotes_and_accents_is_masked_in_every_form(run, raw_server, body, args):
    base_url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    result = run(*args, env={"SIPGATE_BASE_URL": base_url, "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                             "SIPGATE_TOKEN": ODD_TOKEN})
    assert result.code in (0, 1), result
    for form in (ODD_TOKEN, json.dumps(ODD_TOKEN)[1:-1], repr(ODD_TOKEN)[1:-1],
                 json.dumps(ODD_TOKEN, ensure_ascii=False)[1:-1]):
        assert form not in result.output
    assert "<hidden>" in result.output


@pytest.mark.promise("body-limits")
@pytest.mark.parametrize("depth,code", [(100, 0), (101, 1), (8000, 1)])
def test_json_nested_more_than_100_deep_is_no_account(run, raw_server, depth, code):
    # 100 prints, on every Python; 101 is refused, and so is 8000, which
    # Python 3.13's json reads (and would print, slowly and hugely).
    body = b'{"a": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"
    base_url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    result = run("--json", "--timeout", "5", env={"SIPGATE_BASE_URL": base_url,
                                                  "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                                                  "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == code, result
    if code:
        assert result.err == ("sipgate_basic: HTTP 200, but the JSON is nested too deeply to "
                              "be an account\n")
    else:
        assert json.loads(result.out) == json.loads(body.decode())
