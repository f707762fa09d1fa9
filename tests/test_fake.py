"""Tests of the test fakes, not of the client: the fake sipgate itself.

It must be as strict as a careful real server (fake_sipgate.py and its
base, strict_http.py) and misbehave as each mode promises
(fake_misbehaviour.py). These talk to it with http.client and raw sockets
directly, so that they can send what our client never would: malformed
headers, other methods, several requests on one connection. Their names
begin with test_fake_, but for the four that the README's Security table
names as they are; the client's own tests are in the other test_*.py files.
"""

import base64
import collections
import http.client
import json
import os
import random
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest

import fake_sipgate
from fake_misbehaviour import CONTROL_TEXT
from conftest import SECRETS, demo_credentials, spy_on_compare_digest
from fake_sipgate import (ACCOUNT, ALL_SCOPE_TOKEN, ALL_SCOPE_TOKEN_ID, DEMO_ACCESS_TOKEN,
                          DEMO_TOKEN, DEMO_TOKEN_ID, HISTORY_LIFE_TIMES, MAIN_PRODUCT_TYPES,
                          NO_SCOPE_TOKEN, NO_SCOPE_TOKEN_ID, TOKENS, parse_basic_credentials)

GOOD = demo_credentials()


def request(fake, method="GET", path="/v2/account", authorization=None, connection=None):
    connection = connection or http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    headers = {} if authorization is None else {"Authorization": authorization}
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_fake_good_basic_and_bearer_credentials(fake):
    status, _, body = request(fake, authorization="Basic " + GOOD)
    assert status == 200
    assert json.loads(body.decode()) == ACCOUNT
    assert request(fake, authorization="Bearer " + DEMO_ACCESS_TOKEN)[0] == 200
    # RFC 7235: the scheme name is case-insensitive.
    assert request(fake, authorization="basic " + GOOD)[0] == 200


# components/schemas/AccountResponse in sipgate's OpenAPI description (api/openapi.yaml).
ACCOUNT_RESPONSE = {
    "company": (str, None),
    "mainProductType": (str, ("AFFILIATE", "BASIC", "CLINQ", "SATELLITE", "SIMQUADRAT", "TEAM",
                              "TRUNKING", "FORMER_AFFILIATE", "FORMER_BASIC", "FORMER_SATELLITE",
                              "FORMER_SIMQUADRAT", "FORMER_TEAM", "FORMER_TRUNKING", "UNKNOWN")),
    "logoUrl": (str, None),
    "verified": (bool, None),
    "historyLifeTime": (str, ("NONE", "THIRTY_DAYS", "UNLIMITED")),
}


def test_fake_200_is_an_account_response_as_sipgate_describes_it(fake):
    assert MAIN_PRODUCT_TYPES == ACCOUNT_RESPONSE["mainProductType"][1]
    assert HISTORY_LIFE_TIMES == ACCOUNT_RESPONSE["historyLifeTime"][1]
    status, headers, body = request(fake, authorization="Basic " + GOOD)
    assert (status, headers["Content-Type"]) == (200, "application/json")
    account = json.loads(body.decode("utf-8"))
    assert sorted(account) == sorted(ACCOUNT_RESPONSE)
    for name, (kind, enumeration) in ACCOUNT_RESPONSE.items():
        assert type(account[name]) is kind, name
        assert enumeration is None or account[name] in enumeration, name


def test_fake_scope_all_grants_the_account_as_account_read_does(fake):
    assert TOKENS[ALL_SCOPE_TOKEN_ID][1] == ("all",)
    status, _, body = request(
        fake, authorization="Basic " + demo_credentials(ALL_SCOPE_TOKEN_ID, ALL_SCOPE_TOKEN))
    assert (status, json.loads(body.decode("utf-8"))) == (200, ACCOUNT)
    no_scope = "Basic " + demo_credentials(NO_SCOPE_TOKEN_ID, NO_SCOPE_TOKEN)
    assert request(fake, authorization=no_scope)[0] == 403


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "FOO"])
def test_fake_404_has_no_content(fake, method):
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    for _ in range(2):  # and the connection goes on
        status, headers, body = request(fake, method, "/v2/accounts", "Basic " + GOOD, connection)
        assert (status, headers["Content-Length"], body) == (404, "0", b"")
        assert "Content-Type" not in headers


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


@pytest.mark.parametrize("authorization", [
    None,
    "",
    "Basic",
    "Basic ",
    GOOD,                                           # no scheme
    "Digest " + GOOD,
    "Basic " + GOOD.rstrip("="),                    # padding missing
    "Basic " + GOOD + "=",                          # padding extra
    "Basic " + GOOD[:10] + " " + GOOD[10:],         # white space inside
    "Basic " + GOOD.replace("+", "-").replace("/", "_") + "x",  # URL-safe alphabet
    "Basic " + b64(b"token-DEMO01") ,               # no colon
    "Basic " + b64(b"\xff\xfe:" + DEMO_TOKEN.encode()),  # not UTF-8
    "Basic " + b64(("%s:%s" % (DEMO_TOKEN_ID, DEMO_TOKEN)).encode()) + " extra",
    "Basic " + b64(("%s:%s " % (DEMO_TOKEN_ID, DEMO_TOKEN)).encode()),  # trailing space
    "Basic " + b64(("%s:%s" % (DEMO_TOKEN_ID, DEMO_TOKEN[:-1])).encode()),
    "Basic " + b64((":%s" % DEMO_TOKEN).encode()),
    "Bearer " + DEMO_ACCESS_TOKEN + "x",
    "Bearer " + DEMO_TOKEN,
    "Bearer",
])
def test_fake_anything_but_exact_credentials_is_401(fake, authorization):
    status, headers, _ = request(fake, authorization=authorization)
    assert status == 401
    assert headers["WWW-Authenticate"] == 'Basic realm="sipgate REST API"'


@pytest.mark.promise("fake-sipgate")
def test_non_canonical_base64_is_refused_for_that_alone(fake):
    raw = ("%s:%s" % (DEMO_TOKEN_ID, DEMO_TOKEN)).encode("utf-8")
    assert len(raw) % 3 == 1  # so the last Base64 character carries 4 bits of nothing
    canonical = b64(raw)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(canonical[-3])
    assert canonical.endswith("==") and last & 0b1111 == 0
    altered = canonical[:-3] + alphabet[last | 1] + "=="
    assert altered != canonical and base64.b64decode(altered) == raw  # the same credentials
    assert parse_basic_credentials(canonical) == (DEMO_TOKEN_ID, DEMO_TOKEN)
    assert parse_basic_credentials(altered) is None
    assert request(fake, authorization="Basic " + altered)[0] == 401
    assert request(fake, authorization="Basic " + canonical)[0] == 200


def test_fake_two_authorization_headers_are_401(fake):
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    connection.putrequest("GET", "/v2/account")
    connection.putheader("Authorization", "Basic " + GOOD)
    connection.putheader("Authorization", "Basic " + GOOD)
    connection.endheaders()
    assert connection.getresponse().status == 401


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
                                    "TRACE", "PROPFIND", "FOO"])
def test_fake_other_methods_are_405_with_allow(fake, method):
    status, headers, body = request(fake, method, authorization="Basic " + GOOD)
    assert status == 405
    assert headers["Allow"] == "GET"


@pytest.mark.parametrize("path", ["/v2/sessions/sms", "/v2/sessions/sms/account"])
@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "PATCH", "DELETE", "FOO"])
def test_fake_post_only_route_is_405_with_allow_post_and_no_content(fake, method, path):
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    no_scope = "Basic " + demo_credentials(NO_SCOPE_TOKEN_ID, NO_SCOPE_TOKEN)
    for authorization in ("Basic " + GOOD, no_scope):  # the scope is the POST's business
        status, headers, body = request(fake, method, path, authorization, connection)
        assert (status, headers["Allow"], body) == (405, "POST", b"")
        assert headers["Content-Length"] == "0"
        assert "Content-Type" not in headers


@pytest.mark.parametrize("authorization", [None, "Basic wrong", "Basic " + demo_credentials(
    DEMO_TOKEN_ID, DEMO_TOKEN[:-1] + "7")])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_fake_post_only_route_asks_for_credentials_first(fake, method, authorization):
    status, headers, _ = request(fake, method, "/v2/sessions/sms/account", authorization)
    assert (status, headers["WWW-Authenticate"]) == (401, 'Basic realm="sipgate REST API"')


def test_fake_post_only_route_takes_a_post_and_the_connection_goes_on(fake):
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    status, headers, body = request(fake, "POST", "/v2/sessions/sms", "Basic " + GOOD, connection)
    assert (status, body) == (204, b"")
    assert "Content-Length" not in headers
    assert request(fake, authorization="Basic " + GOOD, connection=connection)[0] == 200


@pytest.mark.parametrize("path", ["/v2/sessions", "/v2/sessions/smsx", "/v2/sessions/sms2/account",
                                  "/v2/session/sms"])
def test_fake_post_only_route_is_that_path_and_below_only(fake, path):
    assert request(fake, path=path, authorization="Basic " + GOOD)[0] == 404


@pytest.mark.parametrize("path", ["/", "/v2", "/v2/", "/v2/accounts", "/v1/account",
                                  "/v2//account", "//v2/account", "/v2/account/x"])
def test_fake_other_paths_are_404(fake, path):
    assert request(fake, path=path, authorization="Basic " + GOOD)[0] == 404
    assert request(fake, "FOO", path=path, authorization="Basic " + GOOD)[0] == 404


def test_fake_keep_alive_serves_several_requests_on_one_connection(fake):
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    statuses = [request(fake, authorization=a, connection=connection)[0]
                for a in ("Basic " + GOOD, "Basic wrong", None, "Basic " + GOOD)]
    assert statuses == [200, 401, 401, 200]
    assert len(fake.requests) == 4


def test_fake_standalone_prints_its_url_first_and_never_logs_a_secret(tmp_path):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_sipgate.py")
    process = subprocess.Popen([sys.executable, script, "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True)
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v2")
        port = int(url.split(":")[2].split("/")[0])
        for authorization in ("Basic " + GOOD, "Bearer " + DEMO_ACCESS_TOKEN, "Basic bad"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/v2/account", headers={"Authorization": authorization})
            connection.getresponse().read()
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert err.count('"GET /v2/account HTTP/1.1"') == 3
    for secret in SECRETS:
        assert secret not in out + err


FAKE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_sipgate.py")


def standalone(*args):
    """The fake run alone with `args`: (exit code, stdout, stderr); 10 s at most."""
    done = subprocess.run([sys.executable, FAKE_SCRIPT] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=10)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("value", ["65536", "-1", "http", "", "\u0663", " 80", "+80", "8_0",
                                   "1" * 5000], ids=lambda value: repr(value[:8]))
def test_fake_standalone_refuses_a_bad_port_in_one_line(value):
    assert standalone("--port", value) == (2, "", (
        "fake_sipgate.py: error: argument --port: not a port number from 0 to 65535: %r\n"
        % (value,)))


def test_fake_standalone_usage_errors_are_one_line_without_the_usage():
    assert standalone("--port") == (2, "", "fake_sipgate.py: error: argument --port: "
                                           "expected one argument\n")
    assert standalone("--bind", "0.0.0.0") == (2, "", "fake_sipgate.py: error: "
                                                      "unrecognized arguments: --bind 0.0.0.0\n")


def test_fake_standalone_port_in_use_is_one_line_and_exit_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert standalone("--port", str(port)) == (1, "", (
            "fake_sipgate.py: error: cannot listen on 127.0.0.1:%d: Address already in use\n"
            % port))


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_fake_standalone_a_second_sigterm_while_it_stops_prints_no_traceback():
    # `timeout 1 python3 tests/fake_sipgate.py` sends SIGTERM twice: to the
    # fake, then to its group. Bounded tries, the second signal a little later
    # each time, so that one lands while the fake is shutting down.
    for first, delay in [(signal.SIGTERM, 0), (signal.SIGTERM, 0.002), (signal.SIGTERM, 0.01),
                         (signal.SIGTERM, 0.02), (signal.SIGTERM, 0.04), (signal.SIGINT, 0.01),
                         (signal.SIGINT, 0.03)]:
        process = subprocess.Popen([sys.executable, FAKE_SCRIPT, "--quiet"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, universal_newlines=True)
        try:
            assert process.stdout.readline().startswith("http://127.0.0.1:")
            process.send_signal(first)
            time.sleep(delay)
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert "Traceback" not in err, (first, delay, err)
        assert (process.returncode, out, err) == (0, "", ""), (first, delay)


def malformed_authorizations(count, seed=7617):
    """`count` seeded random Authorization values, none of them the valid one."""
    rnd = random.Random(seed)
    valid = GOOD

    def mutate(text):
        i = rnd.randrange(len(text) + 1)
        kind = rnd.choice(["flip", "insert", "delete", "truncate", "swap"])
        if kind == "flip" and i < len(text):
            return text[:i] + rnd.choice(ALPHABET) + text[i + 1:]
        if kind == "insert":
            return text[:i] + rnd.choice(ALPHABET + " \t=:%") + text[i:]
        if kind == "delete" and i < len(text):
            return text[:i] + text[i + 1:]
        if kind == "truncate":
            return text[:i]
        return text[i:] + text[:i]

    makers = [
        lambda: "Basic " + mutate(valid),
        lambda: "Basic " + mutate(mutate(valid)),
        lambda: "Basic " + b64(bytes(rnd.randrange(256) for _ in range(rnd.randrange(40)))),
        lambda: "Basic " + b64(("%s:%s" % (DEMO_TOKEN_ID, mutate(DEMO_TOKEN))).encode()),
        lambda: rnd.choice(["Basic", "Bearer", "Digest", "", "basic  ", "Basic\t"]) + " "
        + "".join(rnd.choice(ALPHABET + "!#$%&'()*,;<>?@[]^`{|}~\t ") for _ in range(rnd.randrange(80))),
        lambda: bytes(rnd.choice(RAW_BYTES) for _ in range(rnd.randrange(1, 120))),
        lambda: "Basic " + "A" * rnd.randrange(1000, 8000),
    ]
    values = []
    while len(values) < count:
        value = rnd.choice(makers)()
        if value not in ("Basic " + valid, ("Basic " + valid).encode()):
            values.append(value)
    return values


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"
RAW_BYTES = [b for b in range(1, 256) if b not in (10, 13)]  # anything but a line end


def test_fake_hundreds_of_malformed_authorizations_are_all_401_on_live_connections(fake):
    values = malformed_authorizations(400)
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    statuses = collections.Counter()
    for value in values:
        connection.putrequest("GET", "/v2/account")
        connection.putheader("Authorization", value)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        statuses[response.status] += 1
        if response.will_close:  # the fake may end a connection, but must answer first
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    assert statuses == {401: len(values)}


def test_fake_many_concurrent_keep_alive_clients_all_get_answers(fake):
    clients, each = 16, 25
    results = []

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=20)
        for _ in range(each):
            results.append(request(fake, authorization="Basic " + GOOD,
                                   connection=connection)[0])
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [200] * (clients * each)


def exchange(fake, raw):
    """Send raw bytes; everything the fake answers until it closes the connection."""
    sock = socket.create_connection(("127.0.0.1", fake.port), timeout=10)
    try:
        sock.sendall(raw)
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return answer
            answer += chunk
    finally:
        sock.close()


def assert_answered(answer, status):
    """A whole HTTP/1.1 answer with that status, which ends the connection."""
    match = re.match(br"HTTP/1\.1 (\d{3}) [^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n", answer)
    assert match, answer[:200]
    assert int(match.group(1)) == status, answer[:200]
    headers = match.group(2).lower()
    assert b"connection: close\r\n" in headers
    length = re.search(br"content-length: (\d+)\r\n", headers)
    assert int(length.group(1)) == len(answer) - match.end()


@pytest.mark.promise("fake-sipgate")
@pytest.mark.parametrize("raw,status", [
    (b"GET /v2/account HTTP/2.0\r\n\r\n", 400),
    (b"GET /v2/account HTTP/3.0\r\n\r\n", 400),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),             # the HTTP/2 preface
    (b"GET /v2/account HTTP/0.9\r\n\r\n", 400),
    (b"GET /v2/account HTTP/1.x\r\n\r\n", 400),
    (b"GET /v2/account\r\n\r\n", 400),                        # HTTP/0.9 without a version
    (b"\r\n", 400),
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /v2/account HTTP/1.1 extra\r\n\r\n", 400),
    (b"GET http://[/x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ("GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: \u00b2\r\n\r\n".encode("utf-8"), 400),
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: \xb2\r\n\r\n", 400),  # "\u00b2" in Latin-1
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
    ("GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: \u0663\r\n\r\n".encode("utf-8"), 400),
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: 1_0\r\n\r\n", 400),  # int() takes it
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: 12, 13\r\n\r\n", 400),
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", 400),
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n", 413),
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % (2 << 20), 413),
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n", 400),
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", 431),
    (b"GET /v2/account HTTP/1.1\r\nHost: a\r\n" + b"X: y\r\n" * 101 + b"\r\n", 431),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414),
], ids=lambda value: repr(value[:40]) if isinstance(value, bytes) else str(value))
def test_a_malformed_request_gets_a_4xx_with_a_status_line(fake, raw, status):
    assert_answered(exchange(fake, raw), status)


@pytest.mark.parametrize("host_lines", [
    b"",                                  # none: RFC 9112 3.2, 400 in HTTP/1.1
    b"Host: a\r\nHost: a\r\n",            # two
    b"Host: a\r\nhost: b\r\n",
    b"Host: a\x01b\r\n",                  # a control character
    b"Host: a\x7f\r\n",
    b"Host: a b\r\n",
    b"Host: a/b\r\n",                     # not an authority
    b"Host: user@a\r\n",
    b"Host: a:b\r\n",
    b"Host: [::1\r\n",
    b"Host: %zz\r\n",
    "Host: \u00e4\r\n".encode("latin-1"),
], ids=repr)
def test_fake_host_missing_repeated_or_not_an_authority_is_400(fake, host_lines):
    raw = b"GET /v2/account HTTP/1.1\r\n%sAuthorization: Basic %s\r\n\r\n"
    assert_answered(exchange(fake, raw % (host_lines, GOOD.encode())), 400)


@pytest.mark.parametrize("version,host_line", [
    (b"HTTP/1.0", b""),                   # HTTP/1.0 may leave Host out
    (b"HTTP/1.1", b"Host: a\r\n"),
    (b"HTTP/1.1", b"Host: 127.0.0.1:8080\r\n"),
    (b"HTTP/1.1", b"Host: [::1]:8080\r\n"),
    (b"HTTP/1.1", b"Host: api.sipgate.com:\r\n"),
    (b"HTTP/1.1", b"Host: a%41-b_c~d\r\n"),
    (b"HTTP/1.1", b"Host:\r\n"),           # empty: allowed (RFC 9112 3.2)
    (b"HTTP/1.1", b"Host: \t a \t\r\n"),  # whitespace around the value is not its part
])
def test_fake_host_that_is_an_authority_or_none_in_http_1_0_is_answered(fake, version, host_line):
    raw = b"GET /v2/account %s\r\n%sAuthorization: Basic %s\r\nConnection: close\r\n\r\n"
    answer = exchange(fake, raw % (version, host_line, GOOD.encode()))
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer[:200]


def client_hello():
    """The first bytes a TLS client sends (0x16 0x03 ...), made by the ssl module."""
    outgoing = ssl.MemoryBIO()
    tls = ssl.create_default_context().wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname="a")
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    hello = outgoing.read()
    assert hello[:2] == b"\x16\x03"  # a handshake record, TLS 1.x
    return hello


@pytest.mark.parametrize("raw", [
    "ClientHello", b"\x16\x03", b"\x00", b"\x80", b"{", b" GET", b"\tGET", b"\r", b"\n",
], ids=repr)
def test_fake_a_head_no_method_can_begin_gets_400_at_once_not_408(fake, raw):
    # The fake's timeout (30 s) is longer than exchange's (10 s): a wait fails.
    raw = client_hello() if raw == "ClientHello" else raw
    started = time.monotonic()
    assert_answered(exchange(fake, raw), 400)
    assert time.monotonic() - started < 5


def test_fake_answers_a_stalled_request_with_408_and_silence_with_silence(fake, monkeypatch):
    monkeypatch.setattr(fake_sipgate.Handler, "timeout", 0.5)
    assert_answered(exchange(fake, b"GET /v2/account HTTP/1.1\r\nHost: a\r\n"), 408)
    assert_answered(exchange(fake, b"GET /v2/acc"), 408)
    assert exchange(fake, b"") == b""  # nothing asked, nothing answered


def test_fake_answers_a_bug_of_its_own_with_500_not_a_dropped_connection(fake, monkeypatch, capsys):
    def broken(values):
        raise ValueError("the text of this error: " + values[0])

    monkeypatch.setattr(fake_sipgate, "scopes_for", broken)
    fake.quiet = False
    raw = b"GET /v2/account HTTP/1.1\r\nHost: a\r\nAuthorization: Basic " + GOOD.encode() + b"\r\n\r\n"
    assert_answered(exchange(fake, raw), 500)
    log = capsys.readouterr().err
    assert "fake error ValueError" in log
    assert GOOD not in log


# The misbehaviours the client's tests ask for (fake_misbehaviour.py): each does what it says.

def answer_to_get(fake, authorization="Basic " + GOOD):
    """(status line, header lines, body) of the answer to one GET, read until the fake closes."""
    raw = ("GET /v2/account HTTP/1.1\r\nHost: a\r\nAuthorization: %s\r\n\r\n"
           % authorization).encode("latin-1")
    head, _, body = exchange(fake, raw).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    return lines[0], lines[1:], body


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
def test_fake_mode_body_sends_the_tests_bytes_with_or_without_a_length(fake, content_type):
    fake.mode, fake.body, fake.content_type = "body", b'{"company": [1, 2', content_type
    status, headers, body = answer_to_get(fake)
    assert (status, body) == (b"HTTP/1.1 200 OK", b'{"company": [1, 2')
    assert headers[-1] == b"Content-Length: 17"
    assert (b"Content-Type: %s" % content_type.encode() in headers if content_type
            else not [h for h in headers if h.startswith(b"Content-Type")])
    fake.announce = False
    status, headers, body = answer_to_get(fake)
    assert body == b'{"company": [1, 2'
    assert b"Connection: close" in headers
    assert not [h for h in headers if h.startswith(b"Content-Length")]


def test_fake_mode_short_announces_500_bytes_and_sends_50_of_valid_json(fake):
    fake.mode = "short"
    status, headers, body = answer_to_get(fake)
    assert b"Content-Length: 500" in headers
    assert len(body) == 50
    assert json.loads(body.decode("utf-8")) == {"company": "x"}


@pytest.mark.parametrize("value,wire", [("\u00b2", b"\xb2"), ("12, 13", b"12, 13"), ("abc", b"abc"),
                                        ("-1", b"-1"), ("\u0663", "\u0663".encode("utf-8"))])
def test_fake_mode_content_length_sends_the_tests_value(fake, value, wire):
    fake.mode, fake.content_length = "content-length", value
    status, headers, body = answer_to_get(fake)
    assert status == b"HTTP/1.1 200 OK"
    assert b"Content-Length: " + wire in headers
    assert json.loads(body.decode("utf-8")) == ACCOUNT


def test_fake_mode_reflect_hands_the_authorization_back_everywhere(fake):
    fake.mode = "reflect"
    value = "Basic " + GOOD
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    connection.request("GET", "/v2/account", headers={"Authorization": value})
    response = connection.getresponse()
    assert (response.status, response.reason) == (401, value)
    assert response.getheader("Location") == response.getheader("X-Echo") == value
    assert json.loads(response.read().decode("utf-8")) == {"message": value}


def test_fake_mode_control_puts_terminal_controls_in_reason_header_and_company(fake):
    fake.mode = "control"
    status, headers, body = answer_to_get(fake)
    wire = b"Evil\x1b[2J\x1b]0;title\x07\r\x9b\xe2\x80\xaeGmbH"  # U+202E is not Latin-1
    assert status == b"HTTP/1.1 200 " + wire
    assert headers[-1] == b"X-Note: " + wire
    assert b"\\u001b[2J" in body and "\x9b\u202e".encode("utf-8") in body  # escaped and raw
    assert json.loads(body.decode("utf-8"))["company"] == CONTROL_TEXT
    # A client's parser still finds the answer whole.
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    connection.request("GET", "/v2/account")
    response = connection.getresponse()
    assert response.status == 200 and "\x1b]0;title\x07" in response.reason
    assert json.loads(response.read().decode("utf-8"))["company"] == CONTROL_TEXT


@pytest.mark.parametrize("target,wire", [("http://[/x", b"http://[/x"),
                                         ("/v2/\u00e4\u20ac", b"/v2/\xe4\xe2\x82\xac")])
def test_fake_mode_redirect_sends_any_location_as_given(fake, target, wire):
    fake.mode, fake.redirect_to = "redirect", target
    status, headers, _ = answer_to_get(fake)
    assert status == b"HTTP/1.1 302 Found"
    assert b"Location: " + wire in headers


def test_fake_mode_deep_nests_json_arrays_past_any_parsers_recursion_limit(fake):
    fake.mode = "deep"
    status, headers, body = request(fake, authorization="Basic " + GOOD)
    assert (status, headers["Content-Length"]) == (200, "200000")
    assert body == b"[" * 100000 + b"]" * 100000
    with pytest.raises(RecursionError):
        json.loads(body.decode("ascii"))
    fake.depth = 3
    assert request(fake)[2] == b"[[[]]]"


# Promises the fake makes, each with a test that fails if it is broken.

@pytest.mark.promise("fake-sipgate")
def test_the_fake_listens_on_127_0_0_1_only(fake):
    socket.create_connection(("127.0.0.1", fake.port), timeout=5).close()
    # 127.0.0.2 reaches this machine too (Linux routes all of 127/8 to lo):
    # a fake bound to 0.0.0.0 would take the connection.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", fake.port), timeout=5).close()


@pytest.mark.promise("fake-sipgate")
def test_secrets_are_compared_with_compare_digest(fake, monkeypatch):
    calls = spy_on_compare_digest(fake_sipgate, monkeypatch)
    assert request(fake, authorization="Basic " + GOOD)[0] == 200
    assert calls == [(DEMO_TOKEN.encode(), DEMO_TOKEN.encode())]
    del calls[:]
    wrong = "Basic " + demo_credentials(DEMO_TOKEN_ID, DEMO_TOKEN[:-1] + "7")
    assert request(fake, authorization=wrong)[0] == 401
    assert calls == [((DEMO_TOKEN[:-1] + "7").encode(), DEMO_TOKEN.encode())]
    del calls[:]
    assert request(fake, authorization="Bearer " + DEMO_ACCESS_TOKEN)[0] == 200
    assert calls == [(DEMO_ACCESS_TOKEN.encode(), DEMO_ACCESS_TOKEN.encode())]


def test_fake_logs_request_lines_and_statuses_never_a_header_value(fake, capsys):
    fake.quiet = False
    basic = "Basic " + GOOD
    request(fake, authorization=basic)
    request(fake, authorization="Bearer " + DEMO_ACCESS_TOKEN)
    for mode in ("reflect", "control"):
        fake.mode = mode
        request(fake, authorization=basic)
    fake.mode = "normal"
    with_secret = b"\r\nHost: a\r\nAuthorization: " + basic.encode() + b"\r\n"
    exchange(fake, b"GET /v2/account HTTP/1.1" + with_secret + b"Content-Length: x\r\n\r\n")
    exchange(fake, b"GET /v2/account HTTP/1.1" + with_secret + b"no colon\r\n\r\n")
    exchange(fake, b"GET /\x1b[2J\x9b HTTP/1.1" + with_secret + b"Connection: close\r\n\r\n")
    log = capsys.readouterr().err
    assert len(log.splitlines()) == 9
    for line in log.splitlines():
        assert re.match(r'fake sipgate: ("[^"]*" \d{3} \S+|code \d{3}, message [\w -]+)\Z', line), line
    for secret in SECRETS:
        assert secret not in log
    assert '"GET /\\x1b[2J\\x9b HTTP/1.1" 404 -' in log  # shown, not obeyed
