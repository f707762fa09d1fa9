"""A hostile network: never leak, never hang, never crash.

Each test here fails if the guarantee it names is taken away. The `run`
fixture checks every run's output for secrets, --verbose included.
"""

import json
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

import pytest

from conftest import clean_environment, closed_port, demo_credentials, env_for
from fake_misbehaviour import CONTROL_TEXT
from fake_proxy import FakeProxy
from fake_sipgate import DEMO_TOKEN, DEMO_TOKEN_ID, TEST_CA, FakeSipgate
from sipgate_basic.guards.network import Hop, network_error
from sipgate_basic.guards.urls import is_loopback

MiB = 1024 * 1024


# --- Credentials go only to the configured origin -------------------------

@pytest.mark.promise("origin-only")
@pytest.mark.parametrize("status,phrase", [(301, "Moved Permanently"), (302, "Found"),
                                           (303, "See Other"), (307, "Temporary Redirect"),
                                           (308, "Permanent Redirect")])
def test_redirect_to_another_origin_is_not_followed(run, fake, status, phrase):
    with FakeSipgate() as elsewhere:
        fake.mode, fake.status = "redirect", status
        fake.redirect_to = elsewhere.base_url + "/account"
        result = run("--verbose", env=env_for(fake))
        assert result.code == 4, result
        assert elsewhere.requests == [], "credentials followed the redirect"
    assert len(fake.requests) == 1
    message = result.err.splitlines()[-1]
    assert message == (
        "sipgate_basic: HTTP %d %s: the server redirects to %s/account. Not followed: "
        "credentials go only to http://127.0.0.1:%d. If that address is right, set "
        "SIPGATE_BASE_URL to it." % (status, phrase, elsewhere.base_url, fake.port))


def test_a_socket_timeout_is_the_exchange_timing_out():
    # Reached when a read times out a moment before the whole exchange does.
    error = network_error(Hop("api.example:443"), socket.timeout(), 1)
    assert str(error) == "timed out after 1 s: no complete response from api.example:443 (--timeout)"
    assert error.exit_code == 5


@pytest.mark.promise("origin-only")
def test_redirect_within_the_origin_is_not_followed_either(run, fake):
    fake.mode, fake.redirect_to = "redirect", "/v2/account/"
    result = run(env=env_for(fake))
    assert result.code == 4
    assert "redirects to %s/account/" % fake.base_url in result.err
    assert len(fake.requests) == 1


@pytest.mark.promise("origin-only")
def test_where_a_redirect_points_is_cut_to_200_characters(run, fake):
    fake.mode, fake.redirect_to = "redirect", "https://example.com/" + "x" * 300
    result = run(env=env_for(fake))
    assert result.code == 4, result
    shown = ("https://example.com/" + "x" * 300)[:200]
    assert "redirects to %s. Not followed" % shown in result.err


@pytest.mark.promise("clear-text")
@pytest.mark.parametrize("host,loopback", [
    ("localhost", True), ("LOCALHOST", True), ("127.0.0.1", True), ("127.1.2.3", True),
    ("::1", True), ("10.0.0.1", False), ("192.168.1.1", False), ("api.sipgate.com", False),
    ("localhost.example.com", False), ("127.0.0.1.nip.io", False), ("::ffff:8.8.8.8", False),
])
def test_which_hosts_may_have_clear_text(host, loopback):
    assert is_loopback(host) is loopback


def test_clear_text_to_localhost_is_allowed(run, fake):
    result = run(env=env_for(fake, SIPGATE_BASE_URL="http://localhost:%d/v2" % fake.port))
    assert result.code == 0, result


# --- --timeout bounds the whole exchange ----------------------------------

@pytest.mark.promise("timeout")
@pytest.mark.parametrize("mode", ["silent", "drip"])
def test_timeout_bounds_the_whole_exchange(run, fake, mode):
    # "drip" sends a valid answer a byte every 50 ms: every read is quick,
    # so only a limit on the whole exchange stops it (it would take ~10 s).
    fake.mode = mode
    started = time.time()
    result = run("--timeout", "1", "--verbose", env=env_for(fake))
    assert result.code == 5, result
    assert result.err.splitlines()[-1] == (
        "sipgate_basic: timed out after 1 s: no complete response from 127.0.0.1:%d "
        "(--timeout)" % fake.port)
    assert time.time() - started < 8
    assert len(fake.requests) == 1


# --- Network failures: exit 5, the host and the cause in words ------------

@pytest.mark.promise("broken-connections")
def test_connection_refused(run):
    port = closed_port()
    result = run(env={"SIPGATE_BASE_URL": "http://127.0.0.1:%d/v2" % port,
                      "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert (result.code, result.out) == (5, "")
    assert result.err == ("sipgate_basic: connection to 127.0.0.1:%d refused: nothing "
                          "listens there\n" % port)


@pytest.mark.promise("broken-connections")
def test_unknown_host(run):
    result = run(env={"SIPGATE_BASE_URL": "https://no-such-host.invalid/v2",
                      "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == 5, result
    assert result.err.startswith("sipgate_basic: cannot resolve host no-such-host.invalid (")
    assert result.err.count("\n") == 1


@pytest.mark.promise("broken-connections")
@pytest.mark.parametrize("mode,message", [
    ("reset", "connection to 127.0.0.1:{port} broke off before the whole response arrived"),
    # Some OpenSSL builds (Debian's 3.11.2) read a reset after TLS as a
    # hang-up: both are the same words, so that every Python says the same.
    ("hang-up", "connection to 127.0.0.1:{port} broke off before the whole response arrived"),
])
def test_connection_dropped(run, fake, mode, message):
    fake.mode = mode
    result = run(env=env_for(fake))
    assert result.code == 5, result
    assert result.err == "sipgate_basic: %s\n" % message.format(port=fake.port)


@pytest.mark.promise("tls-verified")
def test_tls_with_an_untrusted_certificate(run, tls_fake):
    result = run(env=env_for(tls_fake))
    assert result.code == 5, result
    assert result.err.startswith(
        "sipgate_basic: the TLS certificate presented for 127.0.0.1:%d could not be verified ("
        % tls_fake.port)
    assert result.err.endswith(
        "it was issued by 'sipgate_basic test CA'. If your network uses a private certificate "
        "authority, pass --cacert FILE with its certificate.\n")
    assert tls_fake.requests == []  # the handshake failed: no header went out


@pytest.fixture
def after_hello():
    """after_hello(then) -> port of a server that reads one ClientHello, then does then(socket).

    For a TLS handshake that goes wrong at its first step; 127.0.0.1 only.
    """
    servers = []

    def start(then):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(30)

        def serve():
            connection, _ = listener.accept()
            with connection:
                connection.settimeout(10)
                connection.recv(65536)  # the ClientHello, whole
                then(connection)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        servers.append((thread, listener))
        return listener.getsockname()[1]

    yield start
    for thread, listener in servers:
        thread.join(10)
        listener.close()


def hang_up(connection):
    connection.shutdown(socket.SHUT_RDWR)


CLOSED_IN_HANDSHAKE = "sipgate_basic: 127.0.0.1:%d closed the connection during the TLS handshake"


@pytest.mark.parametrize("then", [hang_up, lambda connection: None], ids=["shutdown", "close"])
def test_connection_closed_during_the_tls_handshake(run, after_hello, then):
    # The same words on every build: 3.10+ raise SSLEOFError; 3.8, 3.9 and
    # Debian's 3.11.2 SSLZeroReturnError; 3.6 and 3.7 a misnamed SSLError.
    port = after_hello(then)
    result = run(env={"SIPGATE_BASE_URL": "https://127.0.0.1:%d/v2" % port,
                      "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == 5, result
    assert result.err == CLOSED_IN_HANDSHAKE % port + "\n"


def reset(connection):
    """Close with a TCP reset (RST) instead of a goodbye (FIN)."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.mark.promise("broken-connections")
def test_a_reset_during_the_tls_handshake_names_that_stage(run, after_hello, fake):
    port = after_hello(reset)
    result = run(env={"SIPGATE_BASE_URL": "https://127.0.0.1:%d/v2" % port,
                      "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == 5, result
    assert result.err == ("sipgate_basic: connection to 127.0.0.1:%d broke off during the TLS "
                          "handshake\n" % port)
    # Over plain http, there is no handshake: a reset breaks off the response.
    fake.mode = "reset"
    plain = run(env=env_for(fake))
    assert plain.err == ("sipgate_basic: connection to 127.0.0.1:%d broke off before the whole "
                         "response arrived\n" % fake.port), plain


def test_connection_closed_during_the_tls_handshake_through_a_proxy(run, after_hello):
    port = after_hello(hang_up)
    with FakeProxy() as proxy:
        result = run(env={"SIPGATE_BASE_URL": "https://127.0.0.1:%d/v2" % port,
                          "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN,
                          "HTTPS_PROXY": proxy.url})
    assert result.code == 5, result
    assert result.err == (CLOSED_IN_HANDSHAKE + " through the proxy %s (from HTTPS_PROXY)\n"
                          ) % (port, proxy.url)


def ssl_error(kind, number, text, reason):
    """An ssl exception as _ssl makes it: with the `reason` and `library` it sets."""
    error = kind(number, text)
    error.reason, error.library = reason, "SSL" if reason else None
    return error


@pytest.mark.parametrize("raised", [
    (ssl.SSLEOFError, 8, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of "
                         "protocol (_ssl.c:1006)", "UNEXPECTED_EOF_WHILE_READING"),
    (ssl.SSLEOFError, 8, "EOF occurred in violation of protocol (_ssl.c:1129)", None),
    (ssl.SSLZeroReturnError, 6, "TLS/SSL connection has been closed (EOF) (_ssl.c:992)", None),
    (ssl.SSLError, 1, "[SSL: KRB5_S_TKT_NYV] unexpected eof while reading (_ssl.c:852)",
     "KRB5_S_TKT_NYV"),
    (OSError, 0, "Error", None),
], ids=["3.10+", "openssl-1.1.1", "3.8-3.9-debian-3.11.2", "3.6-3.7-openssl-3", "bpo-31122"])
def test_each_builds_own_exception_for_a_closed_handshake_reads_the_same(raised):
    # What each build raises for it, the builds not on this machine included.
    kind, number, text, reason = raised
    exception = ssl_error(*raised) if kind is not OSError else OSError(number, text)
    error = network_error(Hop("api.example:443"), exception, 10)
    assert str(error) == "api.example:443 closed the connection during the TLS handshake"
    assert error.exit_code == 5


def test_a_server_that_does_not_speak_tls_is_said_in_our_words_first(run, after_hello):
    # OpenSSL's name for it varies by version; it may follow, in parentheses.
    port = after_hello(lambda connection: connection.sendall(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
    result = run(env={"SIPGATE_BASE_URL": "https://127.0.0.1:%d/v2" % port,
                      "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == 5, result
    assert result.err.startswith("sipgate_basic: TLS with 127.0.0.1:%d failed (" % port)
    assert result.err.endswith(")\n") and result.err.count("\n") == 1
    assert "(error)" not in result.err


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="Linux refuses TCP to a multicast address itself (ENETUNREACH)")
def test_a_host_that_cannot_be_reached_is_said_in_our_words_first(run):
    # No route: the C library's words only follow, in parentheses.
    result = run("--timeout", "5", env={"SIPGATE_BASE_URL": "https://224.0.0.1/v2",
                                        "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                                        "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == 5, result
    assert result.err.startswith("sipgate_basic: network error talking to 224.0.0.1 (")
    assert result.err.endswith(")\n") and result.err.count("\n") == 1


@pytest.mark.promise("tls-verified")
def test_cacert_trusts_a_private_ca(run, tls_fake):
    result = run("--cacert", TEST_CA, env=env_for(tls_fake))
    assert result.code == 0, result
    (seen,) = tls_fake.requests
    assert dict(seen.headers)["Authorization"] == "Basic " + demo_credentials()


@pytest.mark.promise("tls-verified")
@pytest.mark.parametrize("content", [None, b"not a certificate\n"])
def test_unusable_cacert_is_a_configuration_error(run, tls_fake, tmp_path, content):
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_bytes(content)
    result = run("--cacert", str(path), env=env_for(tls_fake))
    assert result.code == 2, result
    assert result.err.startswith("sipgate_basic: --cacert %s: cannot be used" % path)
    assert tls_fake.requests == []


# --- Proxies ---------------------------------------------------------------

@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy"])
def test_https_proxy_tunnels_and_sees_no_header(run, tls_fake, variable):
    with FakeProxy() as proxy:
        result = run("--cacert", TEST_CA, env=env_for(tls_fake, **{variable: proxy.url}))
    assert result.code == 0, result
    assert proxy.targets == [("CONNECT", "127.0.0.1:%d" % tls_fake.port)]
    assert len(tls_fake.requests) == 1


def test_no_proxy_bypasses_it(run, tls_fake):
    with FakeProxy() as proxy:
        result = run("--cacert", TEST_CA, env=env_for(
            tls_fake, HTTPS_PROXY=proxy.url, NO_PROXY="127.0.0.1"))
    assert result.code == 0, result
    assert proxy.targets == []


def test_clear_text_to_loopback_never_goes_through_a_proxy(run, fake):
    with FakeProxy() as proxy:
        result = run(env=env_for(fake, HTTP_PROXY=proxy.url, http_proxy=proxy.url,
                                 ALL_PROXY=proxy.url))
    assert result.code == 0, result
    assert proxy.targets == []


# --- A body of bounded size ------------------------------------------------

@pytest.mark.promise("body-limits")
def test_announced_huge_body_is_refused_unread(run, fake):
    fake.mode = "huge"
    result = run(env=env_for(fake))
    assert result.code == 1, result
    assert result.err == ("sipgate_basic: the response announces 16777216 bytes; an account "
                          "response is a few hundred, and more than 1048576 are not read\n")


@pytest.mark.promise("body-limits")
def test_unannounced_huge_body_stops_at_the_cap(run, fake):
    fake.mode = "huge-unannounced"
    result = run(env=env_for(fake))
    assert result.code == 1, result
    assert result.err == ("sipgate_basic: the response is longer than 1048576 bytes; an account "
                          "response is a few hundred. Stopped reading.\n")
    time.sleep(0.2)
    assert fake.bytes_sent < 16 * MiB  # the client hung up; it did not drain the stream


# --- Ctrl-C -----------------------------------------------------------------

def default_ctrl_c():
    """In the child before exec: Ctrl-C as a terminal gives it.

    A shell starts background jobs with SIGINT ignored, exec keeps it
    ignored, and Python then installs no KeyboardInterrupt handler; a test
    run launched that way would otherwise test nothing but that.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.promise("ctrl-c")
def test_ctrl_c_while_waiting_is_one_line_and_130(fake, tmp_path):
    fake.mode = "silent"
    process = subprocess.Popen(
        [sys.executable, "-m", "sipgate_basic", "--verbose", "--timeout", "30"],
        cwd=str(tmp_path), env=clean_environment(**env_for(fake)), preexec_fn=default_ctrl_c,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    deadline = time.time() + 20
    while not fake.requests and time.time() < deadline:
        time.sleep(0.01)
    assert fake.requests, "the client never sent its request"
    sent = time.time()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=40)
    assert process.returncode == 130, err
    assert time.time() - sent < 10, "Ctrl-C waited for the timeout"
    assert err.splitlines()[-1] == "sipgate_basic: interrupted"
    assert "Traceback" not in err and DEMO_TOKEN not in err


@pytest.mark.promise("origin-only")
def test_unparsable_location_is_shown_not_followed(run, fake):
    fake.mode, fake.redirect_to = "redirect", "http://[/x"
    result = run(env=env_for(fake))
    assert result.code == 4, result
    assert result.err == (
        "sipgate_basic: HTTP 302 Found: the server redirects to http://[/x. Not followed: "
        "credentials go only to http://127.0.0.1:%d. If that address is right, set "
        "SIPGATE_BASE_URL to it.\n" % fake.port)


# --- Exactly what was announced, or a failure ------------------------------------

@pytest.mark.promise("broken-connections")
def test_response_shorter_than_announced_broke_off(run, fake):
    fake.mode = "short"  # announces 500 bytes, sends 50 of valid JSON, closes
    result = run(env=env_for(fake))
    assert (result.code, result.out) == (5, ""), result
    assert result.err == ("sipgate_basic: the response from 127.0.0.1:%d broke off after 50 "
                          "of the 500 bytes it announced\n" % fake.port)


def account_of_size(size):
    """A valid account of exactly `size` bytes: JSON allows trailing white space."""
    account = b'{"company": "padded"}'
    return account + b" " * (size - len(account))


@pytest.mark.promise("body-limits")
@pytest.mark.parametrize("announce", [True, False], ids=["announced", "unannounced"])
def test_body_cap_is_exactly_1_mib(run, fake, announce):
    fake.mode, fake.announce = "body", announce
    fake.body = account_of_size(MiB)
    accepted = run("--json", env=env_for(fake))
    assert (accepted.code, accepted.out) == (0, '{"company": "padded"}\n'), accepted
    fake.body = account_of_size(MiB + 1)
    refused = run("--json", env=env_for(fake))
    assert (refused.code, refused.out) == (1, ""), refused
    if announce:
        assert refused.err == ("sipgate_basic: the response announces 1048577 bytes; an account "
                               "response is a few hundred, and more than 1048576 are not read\n")
    else:
        assert refused.err == ("sipgate_basic: the response is longer than 1048576 bytes; an "
                               "account response is a few hundred. Stopped reading.\n")


@pytest.mark.promise("body-limits")
@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "12, 13", "abc", "-1", "1 2"])
def test_content_length_that_is_not_a_number(run, fake, value):
    fake.mode, fake.content_length = "content-length", value
    result = run(env=env_for(fake))
    assert result.code == 1, result
    assert result.err == ("sipgate_basic: the response from 127.0.0.1:%d has a Content-Length "
                          "that is not one number\n" % fake.port)


@pytest.mark.promise("body-limits")
def test_json_nested_too_deeply(run, fake):
    fake.mode = "deep"
    result = run(env=env_for(fake))
    assert result.code == 1, result
    assert result.err == ("sipgate_basic: HTTP 200, but the JSON is nested too deeply to be an "
                          "account\n")


@pytest.mark.parametrize("depth", [200, 900])
def test_json_deep_but_decodable_is_printed_or_refused_never_a_traceback(run, fake, depth):
    fake.mode, fake.body = "body", b"[" * depth + b"]" * depth
    result = run(env=env_for(fake))
    assert result.code in (0, 1), result
    assert "Traceback" not in result.err


@pytest.mark.promise("body-limits")
def test_not_json_shows_at_most_60_characters(run, fake):
    text = "".join("%02d-" % i for i in range(50))  # 150 characters, each place unique
    fake.mode, fake.body, fake.content_type = "body", text.encode(), "text/plain"
    result = run(env=env_for(fake))
    assert result.code == 1, result
    assert result.err == ("sipgate_basic: HTTP 200, but the body is not JSON; it begins: "
                          "%r\n" % text[:60])


def test_fields_the_client_does_not_know_are_printed_too(run, fake):
    account = {"company": "x", "newField": [1, {"deep": True}], "historyLifeTime": "NONE"}
    fake.mode, fake.body = "body", json.dumps(account).encode()
    result = run("--json", env=env_for(fake))
    assert result.code == 0 and json.loads(result.out) == account


# --- What a server hands back is masked and escaped ----------------------------------

@pytest.mark.promise("no-secret-is-printed")
def test_a_server_that_reflects_the_credentials_is_masked(run, fake):
    fake.mode = "reflect"  # 401 with the Authorization value in reason, Location, X-Echo, body
    result = run("--verbose", env=env_for(fake))  # `run` asserts no secret was printed
    assert result.code == 3, result
    assert "< HTTP/1.1 401 Basic <hidden>" in result.err
    assert "< X-Echo: Basic <hidden>" in result.err


@pytest.mark.promise("no-secret-is-printed")
def test_a_token_in_the_account_is_masked_in_every_form(run, fake):
    account = {"company": DEMO_TOKEN, "logoUrl": demo_credentials(),
               "escaped": DEMO_TOKEN.replace("-", "\\u002d")}
    fake.mode = "body"
    fake.body = json.dumps(account).encode().replace(b"\\\\u002d", b"\\u002d")
    for args in ([], ["--json"], ["--verbose"]):
        result = run(*args, env=env_for(fake))
        assert result.code == 0, result
        assert result.out.count("<hidden>") == 3, result


@pytest.mark.promise("no-secret-is-printed")
def test_control_characters_from_a_server_are_escaped(run, fake):
    fake.mode = "control"  # in the reason phrase, an X-Note header and the company
    result = run("--verbose", env=env_for(fake))
    assert result.code == 0, result
    for character in "\x1b\x07\r\x9b\u202e":
        assert character not in result.output
    # In the account, JSON's own escapes: what is printed is still the same JSON.
    assert json.loads(result.out.split("\n", 1)[1])["company"] == CONTROL_TEXT
    assert '"Evil\\u001b[2J\\u001b]0;title\\u0007\\r\\u009b\\u202eGmbH"' in result.out
    assert "< X-Note: Evil\\x1b[2J" in result.err
