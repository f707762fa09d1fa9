"""A fake corporate HTTPS proxy on this machine, for the tests.

This file owns FakeProxy: an HTTP proxy that serves CONNECT only, bound to
127.0.0.1 on a free port, one thread per connection. Each mode proves one
kind of proxy (or proxy failure) a client meets behind a corporate firewall:

    "tunnel"     200 Connection established, then bytes copied both ways
    "refuse"     HTTP/1.1 <status> <reason>, Content-Length: 0, close
    "hang-up"    reads the CONNECT, closes without a byte
    "garbage"    reads the CONNECT, answers b"SSH-2.0-OpenSSH_9.6\\r\\n", closes
    "silent"     reads the CONNECT, never answers (until the proxy stops)
    "intercept"  200, then TLS towards the client with a certificate from a
                 second test CA (tls/proxy-ca.pem), its own TLS to the
                 upstream (trusting tls/ca.pem), decrypted bytes relayed

Each request head is read and judged as the fake sipgate's are, by
strict_http.StrictHandler: a malformed one gets its 4xx with an HTTP/1.1
status line at once (400, also for a missing, repeated or bad Host and for
a first byte that can begin no method, as a TLS ClientHello's; 414 for a
long request line; 431 for a long header or too many; 408 for a head that
stalls IO_TIMEOUT seconds), in every mode, and the connection ends. As there, a bare LF ends a line as CRLF does
(RFC 9112 2.2 allows it), so `CONNECT host:443 HTTP/1.1\n\n` is a whole
request. A CONNECT target that is not host:port (port 1 to 65535 in ASCII
digits) is a 400 too.

In "tunnel" and "intercept", with `user` or `password` set, a CONNECT needs
`Proxy-Authorization: Basic base64(user:password)` or gets 407 with
`Proxy-Authenticate: Basic realm="fake proxy"`; a method other than CONNECT
gets 405; a target it may not reach gets 502. The other modes misbehave the
same way whatever the request.

It only ever dials loopback: a CONNECT target is looked up in `routes`
("host:port" -> ("127.0.0.1", port)), else reached directly if its host is
127.0.0.1 or localhost, else refused with 502.

It records what it was asked (`targets`) and the Proxy-Authorization values
it got (`proxy_authorizations`), for tests to assert on. It never logs or
prints anything, header values least of all.

Standard library only; runs on CPython 3.6 and later.
"""

import base64
import hmac
import os
import select
import socket
import ssl
import threading
import time
from http import HTTPStatus

from fake_sipgate import TEST_CA, TLS_FOLDER, tls_server_context
from strict_http import StrictHandler, is_digits

UPSTREAM_CA = TEST_CA  # the fake sipgate's CA
PROXY_CA = os.path.join(TLS_FOLDER, "proxy-ca.pem")  # issuer of what "intercept" shows
INTERCEPT_CERT = os.path.join(TLS_FOLDER, "intercept.pem")
INTERCEPT_KEY = os.path.join(TLS_FOLDER, "intercept-key.pem")

GARBAGE = b"SSH-2.0-OpenSSH_9.6\r\n"
REALM = "fake proxy"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")

IO_TIMEOUT = 10  # seconds; bounds every blocking read, write, connect and handshake
POLL = 0.05  # seconds between looks at the stop flag
LINGER = 1  # seconds at most that a refused client's unread bytes are drained
JOIN_TIMEOUT = 5  # seconds that stop() waits for all threads together


class _Refused(Exception):
    """Raised inside a connection's thread to answer with an error and close."""

    def __init__(self, status, headers=()):
        Exception.__init__(self, status)
        self.status = status
        self.headers = headers


class FakeProxy(object):
    """The fake proxy, in threads of this process. Use it as a context manager.

    FakeProxy(mode="tunnel", user=None, password=None, status=None, routes=None)

    mode      one of MODES (see the module docstring)
    user, password
              in "tunnel" and "intercept": credentials a CONNECT must carry;
              None for either means "" when the other is set
    status    in "refuse" only, and required there: the status it answers,
              e.g. 403, 502, 503 (any 3xx-5xx that http.HTTPStatus knows)
    routes    {"host:port": ("127.0.0.1", port)}: where a CONNECT target is
              really reached; destinations must be loopback

    Attributes: url ("http://127.0.0.1:PORT"), port, mode, targets (list of
    (method, target) of every request head it parsed), proxy_authorizations
    (for the same requests, in the same order: the Proxy-Authorization
    value, None when absent; several such headers are joined with ", ").
    """

    def __init__(self, mode="tunnel", user=None, password=None, status=None, routes=None):
        if mode not in MODES:
            raise ValueError("mode must be one of %s, not %r" % (", ".join(MODES), mode))
        if mode == "refuse":
            if status is None:
                raise ValueError('mode "refuse" needs a status, e.g. status=403')
            status = HTTPStatus(status)  # ValueError for a status it does not know
            if status < 300:
                raise ValueError("a refusal needs a status of 300 or more, not %d" % status)
        elif status is not None:
            raise ValueError('status is for mode "refuse" only')
        if (user is not None or password is not None) and mode not in ("tunnel", "intercept"):
            raise ValueError('user and password are for modes "tunnel" and "intercept" only')
        self.mode = mode
        self.status = status
        self.routes = {}
        for target, destination in (routes or {}).items():
            host, port = destination
            if host not in LOOPBACK_HOSTS:
                # A test proxy that could dial out could leak a test's
                # credentials to the internet; it reaches this machine only.
                raise ValueError("a route must lead to 127.0.0.1 or localhost, not %r" % (host,))
            self.routes[target.lower()] = (host, int(port))
        self._expected = None  # the credentials part of the one accepted header, as bytes
        if user is not None or password is not None:
            pair = "%s:%s" % (user or "", password or "")
            self._expected = base64.b64encode(pair.encode("utf-8"))

        self.targets = []
        self.proxy_authorizations = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._sockets = set()  # every open socket, so stop() can end them
        self._threads = []
        self._accepter = None

        self._client_context = self._upstream_context = None
        if mode == "intercept":
            # What "intercept" shows the client: a certificate from the proxy CA.
            self._client_context = tls_server_context(INTERCEPT_CERT, INTERCEPT_KEY)
            self._upstream_context = _upstream_tls_context()

        # Bound here, so that url and port are known before the proxy starts;
        # 127.0.0.1 only: nothing outside this machine may use it.
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._listener.bind(("127.0.0.1", 0))
            self._listener.listen(16)
        except OSError:
            self._listener.close()
            raise
        # accept() returns every POLL seconds, to look at the stop flag:
        # closing a listener does not wake a thread blocked in accept().
        self._listener.settimeout(POLL)
        self.port = self._listener.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port

    # --- Life cycle ---------------------------------------------------------

    def start(self):
        self._accepter = threading.Thread(target=self._accept, name="FakeProxy-accept")
        self._accepter.daemon = True
        self._accepter.start()
        return self

    def stop(self):
        """Stop listening, end every open connection, join the threads (bounded)."""
        self.stopping.set()
        if self._accepter is not None:
            self._accepter.join(JOIN_TIMEOUT)
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
            threads = list(self._threads)
        for sock in sockets:
            # shutdown() wakes a thread blocked in recv() or a handshake on
            # this socket; close() alone would not.
            _shutdown(sock)
        deadline = time.monotonic() + JOIN_TIMEOUT
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for sock in sockets:
            sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # --- Connections --------------------------------------------------------

    def _accept(self):
        while not self.stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return  # the listener was closed
            client.settimeout(IO_TIMEOUT)
            thread = threading.Thread(target=self._serve, args=(client,), name="FakeProxy-connection")
            thread.daemon = True
            with self._lock:
                if self.stopping.is_set():
                    client.close()
                    return
                self._sockets.add(client)
                self._threads.append(thread)
            thread.start()

    def _track(self, sock):
        with self._lock:
            self._sockets.add(sock)
            if self.stopping.is_set():
                # stop() has already shut down what it knew of; this one too.
                _shutdown(sock)
        return sock

    def _serve(self, client):
        opened = [client]
        try:
            self._handle(client, opened)
        except Exception:
            # A client that hangs up, times out or fails TLS is its own
            # business: no traceback, and no message that could hold a header.
            pass
        finally:
            for sock in opened:
                sock.close()
                with self._lock:
                    self._sockets.discard(sock)

    def _handle(self, client, opened):
        # It reads the head, refuses a malformed one, and calls _dispatch with the rest.
        _RequestReader(client, self, opened)

    def _dispatch(self, client, method, target, authorizations, opened):
        """A request head that parsed: recorded, then the mode's to answer."""
        with self._lock:
            self.targets.append((method, target))
            self.proxy_authorizations.append(", ".join(authorizations) if authorizations else None)
        MODES[self.mode](self, client, method, target, authorizations, opened)

    # --- Modes, one method each (MODES, below the class, names them) --------

    def _mode_refuse(self, client, method, target, authorizations, opened):
        _answer(client, self.status)

    def _mode_hang_up(self, client, method, target, authorizations, opened):
        client.shutdown(socket.SHUT_RDWR)

    def _mode_garbage(self, client, method, target, authorizations, opened):
        client.sendall(GARBAGE)
        client.shutdown(socket.SHUT_RDWR)

    def _mode_silent(self, client, method, target, authorizations, opened):
        self.stopping.wait()

    def _mode_tunnel(self, client, method, target, authorizations, opened):
        try:
            upstream = self._open_upstream(method, target, authorizations, opened)
        except _Refused as refusal:
            return _answer(client, refusal.status, refusal.headers)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self._relay(client, upstream)

    def _mode_intercept(self, client, method, target, authorizations, opened):
        try:
            upstream = self._open_upstream(method, target, authorizations, opened)
            # TLS to the upstream before the 200, as intercepting proxies do:
            # an upstream it cannot verify is a 502, not a broken tunnel.
            upstream = self._tls(self._upstream_context, upstream, opened, server_side=False)
        except _Refused as refusal:
            return _answer(client, refusal.status, refusal.headers)
        except (OSError, ssl.SSLError):
            return _answer(client, 502)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        # The client now talks TLS to us, thinking we are the target.
        client = self._tls(self._client_context, client, opened, server_side=True)
        self._relay(client, upstream)

    # --- Helpers of the modes -----------------------------------------------

    def _open_upstream(self, method, target, authorizations, opened):
        """A TCP connection to where the CONNECT target leads, or _Refused."""
        if method != "CONNECT":
            raise _Refused(405, [("Allow", "CONNECT")])
        if not self._authorized(authorizations):
            raise _Refused(407, [("Proxy-Authenticate", 'Basic realm="%s"' % REALM)])
        host, _, port = target.rpartition(":")
        destination = self.routes.get(target.lower())
        if destination is None and host.lower() in LOOPBACK_HOSTS:
            destination = (host, int(port))
        if destination is None:
            raise _Refused(502)
        try:
            upstream = socket.create_connection(destination, timeout=IO_TIMEOUT)
        except OSError:
            raise _Refused(502)
        opened.append(self._track(upstream))
        return upstream

    def _authorized(self, authorizations):
        if self._expected is None:
            return True
        if len(authorizations) != 1:
            return False  # missing, or sent twice
        scheme, _, credentials = authorizations[0].partition(" ")
        # Not decoded: a client sends the one canonical Base64 of user:password; text will do.
        # RFC 7235: the scheme is case-insensitive. compare_digest takes as
        # long for a near miss as for a far one: no timing hint to a guesser.
        matches = hmac.compare_digest(credentials.strip(" ").encode("latin-1"), self._expected)
        return scheme.lower() == "basic" and matches

    def _tls(self, context, sock, opened, server_side):
        """sock wrapped in TLS and handshaken; stop() can end it mid-handshake."""
        wrapped = context.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=False)
        # wrap_socket took over the file descriptor: track the new object.
        opened.append(self._track(wrapped))
        wrapped.do_handshake()
        return wrapped

    def _relay(self, one, other):
        """Copy bytes both ways until either side closes or the proxy stops.

        One thread for both directions: a TLS socket must not be read and
        written from two threads at once. Reads are non-blocking, because a
        readable TLS socket may hold no application data (a session ticket,
        half a record), and a blocking read would then stall the other way.
        """
        peer = {one: other, other: one}
        for sock in peer:
            sock.setblocking(False)
        while not self.stopping.is_set():
            # Bytes TLS already decrypted are invisible to select(): take them first.
            ready = [sock for sock in peer if _pending(sock)]
            if not ready:
                ready, _, _ = select.select(list(peer), [], [], POLL)
            for sock in ready:
                try:
                    data = sock.recv(65536)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    continue
                except OSError:
                    return
                if not data:
                    return
                _send(peer[sock], data)


MODES = {  # mode -> its method, in the order of the module docstring
    "tunnel": FakeProxy._mode_tunnel,
    "refuse": FakeProxy._mode_refuse,
    "hang-up": FakeProxy._mode_hang_up,
    "garbage": FakeProxy._mode_garbage,
    "silent": FakeProxy._mode_silent,
    "intercept": FakeProxy._mode_intercept,
}


class _RequestReader(StrictHandler):
    """A client's request head, read and judged by strict_http as the fake sipgate's are.

    Built and run in the connection's thread: StrictHandler answers a
    malformed or stalled head with its 4xx; answer() hands a head that
    parsed to the proxy's mode, which owns the socket from then on.
    """

    protocol_version = "HTTP/1.1"
    server_version = "FakeProxy/1.0"
    timeout = IO_TIMEOUT  # a head that stalls this long gets 408
    # Unbuffered: exactly the head is read, so that no byte after it (the
    # start of a TLS handshake, say) is swallowed before the tunnel opens.
    rbufsize = 0

    def __init__(self, client, proxy, opened):
        self.proxy, self.opened = proxy, opened
        self.handed_over = False
        StrictHandler.__init__(self, client, ("127.0.0.1", 0), None)

    def peek(self):
        return self.connection.recv(1, socket.MSG_PEEK)  # no TLS yet: a plain socket

    def finish(self):
        """After a refusal (or nothing asked): a lingering close.

        A head refused halfway leaves bytes unread, and closing on unread
        bytes sends a reset, which may reach the client before it has read
        the refusal. So: end of sending, then what the client still sends is
        read and dropped, until it closes or LINGER passes.
        """
        StrictHandler.finish(self)
        if self.handed_over:
            return  # the mode owned the socket, and closed it its own way
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(LINGER)
            deadline = time.monotonic() + LINGER
            while self.connection.recv(65536) and time.monotonic() < deadline:
                pass
        except OSError:
            pass  # gone, or LINGER passed: it had its time to read the answer

    def answer(self):
        self.close_connection = True  # one request per connection
        if self.headers.defects:
            return self.refuse(400, "Bad header line")  # e.g. no colon: the rest would be lost
        if self.command == "CONNECT" and not _is_host_and_port(self.target):
            return self.refuse(400, "Bad CONNECT target")
        authorizations = [value.strip(" \t")
                          for value in self.headers.get_all("Proxy-Authorization") or []]
        # The mode writes on the socket itself: StrictHandler must add nothing.
        self.answered = self.handed_over = True
        self.proxy._dispatch(self.connection, self.command, self.target, authorizations,
                             self.opened)

    def log_message(self, format, *args):
        pass  # the fake proxy never prints


# --- Functions without state ------------------------------------------------

def _is_host_and_port(target):
    """True for host:port with a port of 1 to 65535 in ASCII digits."""
    host, colon, port = target.rpartition(":")
    # ASCII digits only (str.isdigit() takes "²"), and few: int() refuses 4301.
    return bool(host and colon and is_digits(port) and len(port) <= 5
                and 0 < int(port) < 65536)


def _answer(sock, status, headers=()):
    """An answer without a body, then close: what refusals look like."""
    status = HTTPStatus(status)
    lines = ["HTTP/1.1 %d %s" % (status, status.phrase)]
    lines += ["%s: %s" % header for header in headers]
    lines += ["Content-Length: 0", "Connection: close", "", ""]
    sock.sendall("\r\n".join(lines).encode("ascii"))
    sock.shutdown(socket.SHUT_RDWR)


def _send(sock, data):
    """sendall on a socket that is non-blocking for reads."""
    sock.settimeout(IO_TIMEOUT)
    try:
        sock.sendall(data)
    finally:
        sock.setblocking(False)


def _pending(sock):
    return isinstance(sock, ssl.SSLSocket) and sock.pending() > 0


def _shutdown(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or never connected


def _upstream_tls_context():
    """How "intercept" checks the upstream: the fake sipgate's CA, no host name.

    The host name check is off because it dials 127.0.0.1 whatever name the
    client asked for; the certificate chain is still verified.
    """
    context = ssl.create_default_context(cafile=UPSTREAM_CA)
    context.check_hostname = False
    return context
