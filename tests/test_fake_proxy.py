"""Tests of the test fakes, not of the client: the fake proxy itself (fake_proxy.py).

Each mode answers as it promises. Their names begin with test_fake_proxy_;
the client's own tests behind a proxy are in test_proxy.py.

These talk to it with raw sockets and http.client, so that they can send
what a client never would (another method, no port, bad credentials), and
see every byte it answers. The upstream is the fake sipgate, plain or TLS
(conftest's `fake` and `tls_fake`).
"""

import base64
import http.client
import json
import socket
import ssl
import sys
import threading
import urllib.parse

import pytest

import fake_proxy
from conftest import demo_credentials, spy_on_compare_digest
from fake_proxy import INTERCEPT_CERT, INTERCEPT_KEY, PROXY_CA, UPSTREAM_CA, FakeProxy
from fake_sipgate import ACCOUNT, FakeSipgate, tls_server_context
from test_fake import assert_answered  # the same rule for both fakes

TIMEOUT = 5  # seconds: any wait in these tests that takes longer is a failure
CONNECTION_ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"
PROXY_CA_NAME = "sipgate_basic Test Proxy CA"


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")


def connect(proxy, target="127.0.0.1:1", headers=(), method="CONNECT"):
    """A socket to the proxy that has sent one request head."""
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT)
    host = target if method == "CONNECT" else urllib.parse.urlsplit(target).netloc
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: %s" % host]
    lines += ["%s: %s" % header for header in headers]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    return sock


def read_head(sock):
    """The proxy's answer head, byte by byte, so that nothing after it is read."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        assert byte, "closed after %r" % head
        head += byte
    return head


def read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk


def parse(answer):
    """(status line, {header name in lower case: value}) of an answer head."""
    lines = answer.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if line)
    return lines[0], {name.lower(): value for name, value in headers.items()}


def account_request(sock):
    """GET /v2/account with the demo credentials on a tunnel; the answer's raw bytes."""
    sock.sendall(("GET /v2/account HTTP/1.1\r\nHost: api.sipgate.test\r\n"
                  "Authorization: Basic %s\r\nConnection: close\r\n\r\n"
                  % demo_credentials()).encode("ascii"))
    return read_all(sock)


def https_get(proxy, host, context, tunnel_headers=None):
    """GET /v2/account through the proxy with http.client, as urllib does: (status, body)."""
    connection = http.client.HTTPSConnection("127.0.0.1", proxy.port, timeout=TIMEOUT,
                                             context=context)
    connection.set_tunnel(host, 443, headers=tunnel_headers)
    try:
        connection.request("GET", "/v2/account",
                           headers={"Authorization": "Basic " + demo_credentials()})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def context_trusting(cafile, check_hostname=True):
    context = ssl.create_default_context(cafile=cafile)
    context.check_hostname = check_hostname
    return context


# --- tunnel ------------------------------------------------------------------

def test_fake_proxy_tunnel_to_loopback_copies_bytes_both_ways(fake):
    with FakeProxy() as proxy:
        target = "127.0.0.1:%d" % fake.port
        with connect(proxy, target) as sock:
            assert read_head(sock) == CONNECTION_ESTABLISHED
            answer = account_request(sock)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1].decode()) == ACCOUNT
    assert proxy.targets == [("CONNECT", target)]
    assert proxy.proxy_authorizations == [None]
    assert [seen.path for seen in fake.requests] == ["/v2/account"]


def test_fake_proxy_tunnel_follows_routes_for_a_name_it_cannot_resolve(tls_fake):
    routes = {"api.sipgate.test:443": ("127.0.0.1", tls_fake.port)}
    with FakeProxy(routes=routes) as proxy:
        # The fake's certificate is for 127.0.0.1, not api.sipgate.test: the
        # chain is checked, the name is not, since the route is what is tested.
        status, body = https_get(proxy, "api.sipgate.test", context_trusting(UPSTREAM_CA, False))
    assert status == 200
    assert json.loads(body.decode()) == ACCOUNT
    assert proxy.targets == [("CONNECT", "api.sipgate.test:443")]
    assert len(tls_fake.requests) == 1


def test_fake_proxy_http_client_tunnels_end_to_end_tls_to_loopback(tls_fake):
    with FakeProxy() as proxy:
        connection = http.client.HTTPSConnection("127.0.0.1", proxy.port, timeout=TIMEOUT,
                                                 context=context_trusting(UPSTREAM_CA))
        connection.set_tunnel("127.0.0.1", tls_fake.port)
        connection.request("GET", "/v2/account",
                           headers={"Authorization": "Basic " + demo_credentials()})
        response = connection.getresponse()
        assert response.status == 200
        response.read()
        connection.close()
    assert proxy.targets == [("CONNECT", "127.0.0.1:%d" % tls_fake.port)]


@pytest.mark.parametrize("target", [
    "api.sipgate.test:443",    # no route
    "api.sipgate.com:443",     # never dials out, whatever the name
    "10.0.0.1:443",
])
def test_fake_proxy_target_neither_routed_nor_loopback_is_502(target):
    with FakeProxy(routes={"other.test:443": ("127.0.0.1", 1)}) as proxy:
        with connect(proxy, target) as sock:
            answer = read_all(sock)
    assert answer == b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    assert proxy.targets == [("CONNECT", target)]


def test_fake_proxy_loopback_target_that_refuses_is_502():
    # A port just freed by the system: nobody listens on it.
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        free_port = placeholder.getsockname()[1]
    with FakeProxy() as proxy:
        with connect(proxy, "localhost:%d" % free_port) as sock:
            assert parse(read_all(sock))[0] == "HTTP/1.1 502 Bad Gateway"


def test_fake_proxy_other_methods_get_405_with_a_status_line():
    with FakeProxy() as proxy:
        with connect(proxy, "http://api.sipgate.test/v2/account", method="GET") as sock:
            status, headers = parse(read_all(sock))
    assert status == "HTTP/1.1 405 Method Not Allowed"
    assert headers == {"allow": "CONNECT", "content-length": "0", "connection": "close"}
    assert proxy.targets == [("GET", "http://api.sipgate.test/v2/account")]


def exchange(proxy, raw):
    """Send raw bytes; all the proxy answers until it closes, within TIMEOUT (< IO_TIMEOUT)."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        return read_all(sock)


@pytest.mark.parametrize("raw,status", [
    (b"CONNECT api.sipgate.test HTTP/1.1\r\nHost: x\r\n\r\n", 400),     # no port
    (b"CONNECT api.sipgate.test:http HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"CONNECT 127.0.0.1:\xb2 HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # "\u00b2": str.isdigit() takes it
    (b"CONNECT 127.0.0.1:" + b"4" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # int() refuses 4301
    (b"CONNECT 127.0.0.1:0 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"CONNECT 127.0.0.1:65536 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"CONNECT api.sipgate.test:443\r\n\r\n", 400),          # no version
    (b"CONNECT api.sipgate.test:443 HTTP/2.0\r\n\r\n", 400),
    (b"CONNECT api.sipgate.test:443 HTTP/1.1 extra\r\n\r\n", 400),
    (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", 400),
    (b"\r\n", 400),                                           # a blank request line
    (b"\n", 400),
    (b"CONNECT api.sipgate.test HTTP/1.1\nHost: x\n\n", 400),           # LF only, and no port
    (b"CONNECT api.sipgate.test:443 HTTP/1.1\nHost: x\nno colon\n\n", 400),
    (b"CONNECT api.sipgate.test:443 HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n", 400),
    (b"CONNECT " + b"a" * 70000 + b":443 HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"CONNECT api.sipgate.test:443 HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 70000 + b"\r\n\r\n", 431),
    (b"CONNECT api.sipgate.test:443 HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 101 + b"\r\n", 431),
], ids=lambda value: repr(value[:40]) if isinstance(value, bytes) else str(value))
def test_fake_proxy_answers_a_malformed_head_with_a_4xx_status_line_at_once(raw, status):
    with FakeProxy() as proxy:
        assert_answered(exchange(proxy, raw), status)
    assert proxy.targets == []  # refused before it was taken for a request


@pytest.mark.parametrize("host_lines", [
    b"", b"Host: x:443\r\nHost: x:443\r\n", b"Host: x\x01\r\n", b"Host: x y\r\n",
], ids=repr)
def test_fake_proxy_host_missing_repeated_or_not_an_authority_is_400(fake, host_lines):
    # strict_http's check, shared with the fake sipgate: RFC 9112 3.2.
    with FakeProxy() as proxy:
        raw = b"CONNECT 127.0.0.1:%d HTTP/1.1\r\n%s\r\n" % (fake.port, host_lines)
        assert_answered(exchange(proxy, raw), 400)
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as sock:
            sock.sendall(b"CONNECT 127.0.0.1:%d HTTP/1.0\r\n\r\n" % fake.port)  # may go without
            assert read_head(sock) == CONNECTION_ESTABLISHED
    assert proxy.targets == [("CONNECT", "127.0.0.1:%d" % fake.port)]


@pytest.mark.parametrize("raw", [b"\x16\x03\x01\x02\x00\x01", b"\x00", b" CONNECT", b"\r"],
                         ids=repr)
def test_fake_proxy_a_head_no_method_can_begin_gets_400_at_once_not_408(raw):
    # TLS straight to the proxy (0x16 0x03: a ClientHello), say. exchange
    # waits TIMEOUT (5 s), less than the proxy's IO_TIMEOUT (10 s) to a 408.
    with FakeProxy() as proxy:
        assert_answered(exchange(proxy, raw), 400)
    assert proxy.targets == []


def test_fake_proxy_takes_an_lf_only_head_whole_as_the_fake_sipgate_does(fake):
    # RFC 9112 2.2: a recipient may take a bare LF for CRLF; http.server, and
    # so the fake sipgate (404 for this one, a path it does not know), does.
    with FakeProxy() as proxy:
        answer = exchange(proxy, b"CONNECT api.sipgate.test:443 HTTP/1.1\nHost: x\n\n")
        assert answer == (b"HTTP/1.1 502 Bad Gateway\r\n"
                          b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as sock:
            sock.sendall(b"CONNECT 127.0.0.1:%d HTTP/1.1\nHost: x\n\n" % fake.port)
            assert read_head(sock) == CONNECTION_ESTABLISHED
            assert account_request(sock).startswith(b"HTTP/1.1 200 OK\r\n")
    assert proxy.targets == [("CONNECT", "api.sipgate.test:443"),
                             ("CONNECT", "127.0.0.1:%d" % fake.port)]


def test_fake_proxy_answers_a_stalled_head_with_408_and_silence_with_silence(monkeypatch):
    monkeypatch.setattr(fake_proxy._RequestReader, "timeout", 0.5)
    with FakeProxy() as proxy:
        assert_answered(exchange(proxy, b"CONNECT api.sipgate.test:443 HTTP/1.1\r\n"), 408)
        assert_answered(exchange(proxy, b"CONNECT api.sip"), 408)
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as sock:
            sock.shutdown(socket.SHUT_WR)  # nothing asked, nothing answered
            assert read_all(sock) == b""
    assert proxy.targets == []


# --- Proxy authentication ----------------------------------------------------

def test_fake_proxy_missing_credentials_get_407_with_proxy_authenticate(fake):
    with FakeProxy(user="alice", password="s3cret") as proxy:
        with connect(proxy, "127.0.0.1:%d" % fake.port) as sock:
            answer = read_all(sock)
    assert answer == (b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                      b'Proxy-Authenticate: Basic realm="fake proxy"\r\n'
                      b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    assert proxy.proxy_authorizations == [None]
    assert fake.requests == []


@pytest.mark.parametrize("authorization", [
    basic("alice", "s3cre"),
    basic("alice", "s3cret "),
    basic("bob", "s3cret"),
    basic("alice", "s3cret")[len("Basic "):],  # no scheme
    "Bearer " + basic("alice", "s3cret")[len("Basic "):],
    "Basic",
    "",
])
def test_fake_proxy_wrong_credentials_get_407(fake, authorization):
    with FakeProxy(user="alice", password="s3cret") as proxy:
        with connect(proxy, "127.0.0.1:%d" % fake.port,
                     [("Proxy-Authorization", authorization)]) as sock:
            status, headers = parse(read_all(sock))
    assert status == "HTTP/1.1 407 Proxy Authentication Required"
    assert headers["proxy-authenticate"] == 'Basic realm="fake proxy"'
    assert proxy.proxy_authorizations == [authorization]
    assert fake.requests == []


def test_fake_proxy_credentials_sent_twice_get_407_and_are_recorded_joined(fake):
    right = basic("alice", "s3cret")
    with FakeProxy(user="alice", password="s3cret") as proxy:
        with connect(proxy, "127.0.0.1:%d" % fake.port,
                     [("Proxy-Authorization", right), ("Proxy-Authorization", right)]) as sock:
            assert parse(read_all(sock))[0] == "HTTP/1.1 407 Proxy Authentication Required"
    assert proxy.proxy_authorizations == [right + ", " + right]


def test_fake_proxy_right_credentials_tunnel_and_are_recorded_exactly(fake):
    right = basic("alice", "s3cret")
    with FakeProxy(user="alice", password="s3cret") as proxy:
        with connect(proxy, "127.0.0.1:%d" % fake.port,
                     [("Proxy-Authorization", right)]) as sock:
            assert read_head(sock) == CONNECTION_ESTABLISHED
            assert account_request(sock).startswith(b"HTTP/1.1 200 OK\r\n")
        # RFC 7235: the scheme name is case-insensitive.
        with connect(proxy, "127.0.0.1:%d" % fake.port,
                     [("Proxy-Authorization", "basic" + right[5:])]) as sock:
            assert read_head(sock) == CONNECTION_ESTABLISHED
    assert proxy.proxy_authorizations == [right, "basic" + right[5:]]


def test_fake_proxy_compares_credentials_with_compare_digest(fake, monkeypatch):
    calls = spy_on_compare_digest(fake_proxy, monkeypatch)
    right, wrong = basic("alice", "s3cret"), basic("alice", "s3creT")
    expected = right[len("Basic "):].encode("ascii")
    with FakeProxy(user="alice", password="s3cret") as proxy:
        for authorization, answer in ((right, CONNECTION_ESTABLISHED),
                                      (wrong, b"HTTP/1.1 407 Proxy Authentication Required\r\n")):
            with connect(proxy, "127.0.0.1:%d" % fake.port,
                         [("Proxy-Authorization", authorization)]) as sock:
                assert read_head(sock).startswith(answer)
    assert calls == [(expected, expected), (wrong[len("Basic "):].encode("ascii"), expected)]


def test_fake_proxy_http_client_with_right_and_wrong_credentials(tls_fake):
    routes = {"localhost:443": ("127.0.0.1", tls_fake.port)}
    with FakeProxy(user="alice", password="p\u00e4ss:w\u00f6rd", routes=routes) as proxy:
        # user:password is UTF-8 before Base64; a colon in the password is fine.
        right = {"Proxy-Authorization": basic("alice", "p\u00e4ss:w\u00f6rd")}
        status, _ = https_get(proxy, "localhost", context_trusting(UPSTREAM_CA), right)
        assert status == 200
        with pytest.raises(OSError) as refused:
            https_get(proxy, "localhost", context_trusting(UPSTREAM_CA),
                      {"Proxy-Authorization": basic("alice", "wrong")})
        assert "407" in str(refused.value)


def test_fake_proxy_nothing_is_printed_not_even_a_header(fake, capfd):
    with FakeProxy(user="alice", password="s3cret") as proxy:
        for authorization in (basic("alice", "s3cret"), basic("alice", "nope")):
            with connect(proxy, "127.0.0.1:%d" % fake.port,
                         [("Proxy-Authorization", authorization)]) as sock:
                read_head(sock)
    assert capfd.readouterr() == ("", "")


# --- The failing modes -------------------------------------------------------

@pytest.mark.parametrize("status,status_line", [
    (403, "HTTP/1.1 403 Forbidden"),
    (502, "HTTP/1.1 502 Bad Gateway"),
    (503, "HTTP/1.1 503 Service Unavailable"),
])
def test_fake_proxy_refuse_answers_the_status_and_closes(fake, status, status_line):
    with FakeProxy(mode="refuse", status=status) as proxy:
        with connect(proxy, "127.0.0.1:%d" % fake.port) as sock:
            answer = read_all(sock)
    assert answer == (status_line + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").encode()
    assert proxy.targets == [("CONNECT", "127.0.0.1:%d" % fake.port)]
    assert fake.requests == []


def test_fake_proxy_hang_up_closes_without_a_byte():
    with FakeProxy(mode="hang-up") as proxy:
        with connect(proxy, "api.sipgate.test:443") as sock:
            assert read_all(sock) == b""
    assert proxy.targets == [("CONNECT", "api.sipgate.test:443")]


def test_fake_proxy_garbage_answers_something_that_is_not_http():
    with FakeProxy(mode="garbage") as proxy:
        with connect(proxy, "api.sipgate.test:443") as sock:
            assert read_all(sock) == b"SSH-2.0-OpenSSH_9.6\r\n"
    assert proxy.targets == [("CONNECT", "api.sipgate.test:443")]


def test_fake_proxy_silent_never_answers_until_the_proxy_stops():
    proxy = FakeProxy(mode="silent").start()
    try:
        sock = connect(proxy, "api.sipgate.test:443")
        sock.settimeout(0.3)
        with pytest.raises(socket.timeout):
            sock.recv(1)
    finally:
        proxy.stop()
    # Stopping ended the open connection: the client sees its end, at once.
    sock.settimeout(TIMEOUT)
    assert read_all(sock) == b""
    sock.close()
    assert proxy.targets == [("CONNECT", "api.sipgate.test:443")]


def test_fake_proxy_credentials_are_refused_in_modes_that_would_ignore_them():
    with pytest.raises(ValueError):
        FakeProxy(mode="refuse", status=403, user="alice", password="s3cret")


@pytest.mark.parametrize("kwargs", [
    {"mode": "tunel"},
    {"mode": "refuse"},                   # no status
    {"mode": "refuse", "status": 200},    # not a refusal
    {"mode": "refuse", "status": 499},    # no such status
    {"mode": "tunnel", "status": 403},    # status is for "refuse" only
    {"routes": {"api.sipgate.test:443": ("192.0.2.1", 443)}},  # not loopback
])
def test_fake_proxy_wrong_arguments_are_refused_at_once(kwargs):
    with pytest.raises(ValueError):
        FakeProxy(**kwargs)


# --- intercept ---------------------------------------------------------------

@pytest.fixture
def intercept_routes(tls_fake):
    return {"api.sipgate.test:443": ("127.0.0.1", tls_fake.port)}


def test_fake_proxy_intercept_relays_to_a_client_that_trusts_the_proxy_ca(
        tls_fake, intercept_routes):
    with FakeProxy(mode="intercept", routes=intercept_routes) as proxy:
        status, body = https_get(proxy, "api.sipgate.test", context_trusting(PROXY_CA))
    assert status == 200
    assert json.loads(body.decode()) == ACCOUNT
    assert proxy.targets == [("CONNECT", "api.sipgate.test:443")]
    # The fake got the request the proxy decrypted and sent on, headers and all.
    assert [seen.path for seen in tls_fake.requests] == ["/v2/account"]
    assert dict(tls_fake.requests[0].headers)["Authorization"] == "Basic " + demo_credentials()


def test_fake_proxy_intercept_shows_a_certificate_of_the_proxy_ca(intercept_routes):
    with FakeProxy(mode="intercept", routes=intercept_routes) as proxy:
        with connect(proxy, "api.sipgate.test:443") as sock:
            assert read_head(sock) == CONNECTION_ESTABLISHED
            context = context_trusting(PROXY_CA)
            with context.wrap_socket(sock, server_hostname="api.sipgate.test") as tls:
                issuer = dict(pair[0] for pair in tls.getpeercert()["issuer"])
    assert issuer["commonName"] == PROXY_CA_NAME


def test_fake_proxy_intercept_fails_verification_for_a_client_that_trusts_the_real_ca(
        tls_fake, intercept_routes):
    with FakeProxy(mode="intercept", routes=intercept_routes) as proxy:
        with connect(proxy, "api.sipgate.test:443") as sock:
            assert read_head(sock) == CONNECTION_ESTABLISHED
            with pytest.raises(ssl.SSLError) as failed:
                context_trusting(UPSTREAM_CA).wrap_socket(sock, server_hostname="api.sipgate.test")
    assert failed.value.reason == "CERTIFICATE_VERIFY_FAILED"
    assert tls_fake.requests == []


def test_fake_proxy_intercept_asks_for_credentials_too(intercept_routes):
    right = basic("alice", "s3cret")
    with FakeProxy(mode="intercept", user="alice", password="s3cret",
                   routes=intercept_routes) as proxy:
        with connect(proxy, "api.sipgate.test:443") as sock:
            status, headers = parse(read_all(sock))
        assert status == "HTTP/1.1 407 Proxy Authentication Required"
        assert headers["proxy-authenticate"] == 'Basic realm="fake proxy"'
        status, _ = https_get(proxy, "api.sipgate.test", context_trusting(PROXY_CA),
                              {"Proxy-Authorization": right})
        assert status == 200
    assert proxy.proxy_authorizations == [None, right]


def test_fake_proxy_intercept_answers_502_for_an_upstream_without_tls(fake):
    # A plain HTTP server where TLS is expected: the proxy's own handshake fails.
    with FakeProxy(mode="intercept",
                   routes={"api.sipgate.test:443": ("127.0.0.1", fake.port)}) as proxy:
        with connect(proxy, "api.sipgate.test:443") as sock:
            assert parse(read_all(sock))[0] == "HTTP/1.1 502 Bad Gateway"


def test_fake_proxy_intercept_verifies_the_upstream_certificate():
    # An upstream whose certificate no CA the proxy trusts has signed (the
    # proxy CA's own, here): a 502 before the 200, nothing relayed.
    untrusted = tls_server_context(INTERCEPT_CERT, INTERCEPT_KEY)
    with FakeSipgate(tls_context=untrusted) as upstream:
        routes = {"api.sipgate.test:443": ("127.0.0.1", upstream.port)}
        with FakeProxy(mode="intercept", routes=routes) as proxy:
            with connect(proxy, "api.sipgate.test:443") as sock:
                assert read_all(sock) == (b"HTTP/1.1 502 Bad Gateway\r\n"
                                          b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            with pytest.raises(OSError) as refused:  # and through http.client, as urllib goes
                https_get(proxy, "api.sipgate.test", context_trusting(PROXY_CA))
            assert "502" in str(refused.value)
    assert upstream.requests == []


# --- Bound to this machine, and gone after use ------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="only Linux answers on all of 127.0.0.0/8 by default")
def test_fake_proxy_bound_to_127_0_0_1_only():
    with FakeProxy() as proxy:
        assert proxy.url == "http://127.0.0.1:%d" % proxy.port
        # On Linux all of 127.0.0.0/8 is this machine: a proxy bound to
        # 0.0.0.0 would answer on 127.0.0.2; one bound to 127.0.0.1 does not.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", proxy.port), timeout=TIMEOUT).close()


def proxy_threads():
    return [thread for thread in threading.enumerate()
            if thread.name.startswith("FakeProxy") and thread.is_alive()]


def test_fake_proxy_nothing_runs_after_exit(fake):
    with FakeProxy() as proxy:
        tunnel = connect(proxy, "127.0.0.1:%d" % fake.port)
        assert read_head(tunnel) == CONNECTION_ESTABLISHED
        waiting = connect(proxy, "127.0.0.1:%d" % fake.port)  # no answer read
        assert proxy_threads()
    # Open connections were closed, not left to the garbage collector: a
    # clean end, or a reset for one whose request was never read.
    for sock in (tunnel, waiting):
        try:
            assert read_all(sock) in (b"", CONNECTION_ESTABLISHED)
        except ConnectionResetError:
            pass
        sock.close()
    assert proxy_threads() == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT).close()
