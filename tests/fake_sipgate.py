"""A fake sipgate REST API on this machine: GET /v2/account, and a route that is POST only.

For the tests and `make demo`: a short example of http.server, standard
library only, bound to 127.0.0.1, one thread per connection, HTTP/1.1
keep-alive. It answers as the real API does and, where sipgate's OpenAPI
description of GET /account speaks (the AccountResponse, the scopes, a 404
without content), as it says:

    GET /v2/account, good credentials with scope all or account:read   200 account JSON
    missing, wrong or malformed credentials                             401
    a known token without either scope                                  403
    any other path                                                      404, no body
    another method on /v2/account                                       405, Allow: GET
    /v2/sessions/sms and below, known token: any method but POST        405, Allow: POST, no body
                                             POST                       204 (no SMS is sent)
    a malformed request line, version, header, Host or Content-Length  400 (408, 413, 414, 431)

The second route is there for the 405 a client that only sends GET can
meet: sipgate's POST /v2/sessions/sms (send an SMS) answers another method
with 405 and `Allow: POST`. Since the client appends /account to its base
URL, the fake answers so below that path too: base URL
http://127.0.0.1:PORT/v2/sessions/sms gives GET /v2/sessions/sms/account,
and 405. That part is the fake's own; sipgate would more likely say 404
there. On this route the credentials come first (401 without a known
token, whatever the method), as plausibly at sipgate, whose API tells a
caller nothing before it has authenticated; the scope does not matter for
the 405. (On /v2/account the fake judges the method first, as it always
has.) A POST gets 204 without reading what it asks.

It parses the Authorization header as strictly as a careful server would
(RFC 7617, RFC 6750): anything malformed is a 401, never a 5xx or a dropped
connection, and secrets are compared in constant time. Every request it has
begun to read gets an answer with an HTTP/1.1 status line, even where
http.server alone would drop the connection or answer as HTTP/0.9. It
records each request it saw, so a test can assert the exact headers; it logs
only request lines and statuses, never a header value.

This file owns the well-behaved fake. What makes http.server answer every
request with a status line is in strict_http.py, the base of its Handler.
Its misbehaviours for the tests of a hostile network (`fake.mode = "drip"`
and so on) are in fake_misbehaviour.py.

Standalone: `python tests/fake_sipgate.py [--port N]` prints its base URL
as its first line of standard output, then serves until interrupted. A
--port that is not 0 to 65535 in digits is a usage error (exit 2), a port
it cannot listen on (in use, say) a failure (exit 1): each one line on
standard error, never a traceback. SIGTERM or SIGINT stops it (exit 0,
silently); a second one while it stops is ignored.
"""

import argparse
import base64
import binascii
import collections
import hmac
import json
import os
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import HTTPServer

from strict_http import StrictHandler, is_digits

BASE_PATH = "/v2"
ACCOUNT_PATH = BASE_PATH + "/account"
SMS_PATH = BASE_PATH + "/sessions/sms"  # POST only: the fake's 405 for a GET

# Demo credentials: public, documented in the README, useless anywhere else.
DEMO_TOKEN_ID = "token-DEMO01"
DEMO_TOKEN = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
NO_SCOPE_TOKEN_ID = "token-DEMO02"
NO_SCOPE_TOKEN = "9b2c7e1a-4d3f-4a8b-9c6d-5e4f3a2b1c0d"
ALL_SCOPE_TOKEN_ID = "token-DEMO03"
ALL_SCOPE_TOKEN = "954556d0-b7f8-427f-9112-6619169d10b2"
DEMO_ACCESS_TOKEN = "demo.access-token_4f1c9e2b7a6d+PQ/w=="
TOKENS = {  # token ID -> (token, scopes)
    DEMO_TOKEN_ID: (DEMO_TOKEN, ("account:read",)),
    NO_SCOPE_TOKEN_ID: (NO_SCOPE_TOKEN, ()),
    ALL_SCOPE_TOKEN_ID: (ALL_SCOPE_TOKEN, ("all",)),
}
ACCESS_TOKENS = {DEMO_ACCESS_TOKEN: ("account:read",)}  # access token -> scopes

# From sipgate's OpenAPI description of GET /account: the scopes that grant
# it, and the enumerations of its AccountResponse.
ACCOUNT_SCOPES = ("all", "account:read")
MAIN_PRODUCT_TYPES = (
    "AFFILIATE", "BASIC", "CLINQ", "SATELLITE", "SIMQUADRAT", "TEAM", "TRUNKING",
    "FORMER_AFFILIATE", "FORMER_BASIC", "FORMER_SATELLITE", "FORMER_SIMQUADRAT",
    "FORMER_TEAM", "FORMER_TRUNKING", "UNKNOWN")
HISTORY_LIFE_TIMES = ("NONE", "THIRTY_DAYS", "UNLIMITED")

# The AccountResponse: all five fields, in the description's order.
ACCOUNT = {
    "company": "sipgate Demo GmbH",
    "mainProductType": "TEAM",
    "logoUrl": "https://static.sipgate.com/images/logo.png",
    "verified": True,
    "historyLifeTime": "THIRTY_DAYS",
}

TLS_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tls")
TEST_CA = os.path.join(TLS_FOLDER, "ca.pem")
SERVER_CERT = os.path.join(TLS_FOLDER, "server.pem")  # for 127.0.0.1 and localhost, from TEST_CA
SERVER_KEY = os.path.join(TLS_FOLDER, "server-key.pem")

_TOKEN68 = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_BODY = 1 << 20  # the largest request body the fake reads (and drops)

# One request as the fake received it: headers as (name, value) pairs, in order.
Seen = collections.namedtuple("Seen", "method path headers")


def parse_basic_credentials(value):
    """(user-id, password) from a Basic credentials string, or None.

    Strict, as RFC 7617 asks: canonical Base64 (right alphabet, padding and
    length), UTF-8 text, and a colon between user-id and password.
    """
    if not _TOKEN68.match(value):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(raw).decode("ascii") != value:
        return None  # e.g. stray bits in the last character: not what a client sends
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    user_id, colon, password = text.partition(":")
    return (user_id, password) if colon else None


def scopes_for(authorization_values):
    """The scopes the request's credentials hold, or None for no valid credentials."""
    if len(authorization_values) != 1:
        return None  # missing, or sent twice
    scheme, _, rest = authorization_values[0].partition(" ")
    rest = rest.lstrip(" ")
    if scheme.lower() == "basic":
        credentials = parse_basic_credentials(rest)
        if credentials is None:
            return None
        user_id, password = credentials
        expected, scopes = TOKENS.get(user_id, ("\0" * 36, None))
        # compare_digest takes as long for a near miss as for a far one,
        # so the time of a 401 does not tell how much of a token was right.
        if hmac.compare_digest(password.encode("utf-8"), expected.encode("utf-8")):
            return scopes
        return None
    if scheme.lower() == "bearer" and _B64TOKEN.match(rest):
        for token, scopes in ACCESS_TOKENS.items():
            if hmac.compare_digest(rest.encode("ascii"), token.encode("ascii")):
                return scopes
    return None


class Handler(StrictHandler):
    """One connection: its requests, one after another, each answered by answer().

    StrictHandler (strict_http.py) reads each request and answers a malformed
    one, a stalled one or a bug in answer() with an error; answer() sees only
    requests that parsed.
    """

    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries Content-Length
    server_version = "FakeSipgate/1.0"
    # Headers and body go out in two writes; without TCP_NODELAY the second
    # waits for the client's delayed ACK, some 40 ms per request.
    disable_nagle_algorithm = True

    def answer(self):
        """Answer any method: the real API says 405 or 404, never http.server's 501."""
        fake = self.server.fake
        fake.record(Seen(self.command, self.target, list(self.headers.items())))
        if self.headers.defects:
            return self.refuse(400, "Bad header line")  # e.g. no colon: the rest would be lost
        refusal = self.read_body()
        if refusal:
            return self.refuse(*refusal)
        if fake.mode != "normal":
            from fake_misbehaviour import MODES  # the extras, loaded only when a test asks
            return MODES[fake.mode](fake, self)
        try:
            path = urllib.parse.urlsplit(self.target).path
        except ValueError:  # e.g. "http://[/x"
            return self.refuse(400, "Bad request target")
        if path == SMS_PATH or path.startswith(SMS_PATH + "/"):
            return self.answer_post_only()
        if path != ACCOUNT_PATH:
            return self.send_body(404, b"", None)  # the description: 404 has no content
        if self.command != "GET":
            return self.send_json(405, {"message": "Method Not Allowed"}, [("Allow", "GET")])
        scopes = scopes_for(self.headers.get_all("Authorization") or [])
        if scopes is None:
            return self.send_unauthorized()
        if not set(scopes) & set(ACCOUNT_SCOPES):
            return self.send_json(403, {"message": "Forbidden: scope account:read or all needed"})
        return self.send_json(200, ACCOUNT)

    def answer_post_only(self):
        """/v2/sessions/sms and below: credentials first, then 405 for anything but POST."""
        if scopes_for(self.headers.get_all("Authorization") or []) is None:
            return self.send_unauthorized()
        if self.command != "POST":
            return self.send_body(405, b"", None, [("Allow", "POST")])
        self.send_response(204)  # no content, and so no Content-Length (RFC 9110 8.6)
        self.end_headers()

    def send_unauthorized(self):
        self.send_json(401, {"message": "Unauthorized"},
                       [("WWW-Authenticate", 'Basic realm="sipgate REST API"')])

    def read_body(self):
        """Read and drop a request body, so the next request on the connection parses.

        None, or (status, why) of a refusal: the body's length cannot be
        known (several Content-Lengths, or one not all ASCII digits: "-1",
        "²", "12, 13"), or it is too large to read.
        """
        lengths = self.headers.get_all("Content-Length") or []
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # no chunked parser here: answer, then end
        elif len(lengths) > 1 or lengths and not is_digits(lengths[0].strip(" \t")):
            return 400, "Bad Content-Length"
        elif lengths:
            length = lengths[0].strip(" \t")
            if len(length) > 7 or int(length) > MAX_BODY:  # int() refuses 4301 digits
                return 413, "Body too large"
            self.rfile.read(int(length))
        return None

    def send_json(self, status, document, headers=()):
        self.send_body(status, json.dumps(document).encode("utf-8"), "application/json", headers)

    def send_body(self, status, body, content_type, headers=()):
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        # Only request lines and statuses reach here, never a header. A request
        # line may hold terminal controls: the log shows them, not obeys them.
        if not self.server.fake.quiet:
            message = _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()), format % args)
            sys.stderr.write("fake sipgate: %s\n" % message)


class _Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def finish_request(self, request, client_address):
        # Known while open, so that stop() can end it.
        self.fake.connections.add(request)
        try:
            HTTPServer.finish_request(self, request, client_address)
        finally:
            self.fake.connections.discard(request)

    def get_request(self):
        sock, address = HTTPServer.get_request(self)
        if self.fake.tls_context is not None:
            # The handshake happens in the connection's own thread, so a
            # client that never finishes it cannot stall the others.
            sock = self.fake.tls_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address):
        pass  # a client that hangs up or fails TLS is its own business; no traceback


class FakeSipgate(object):
    """The fake, in a thread of this process. Use it as a context manager.

    `mode` other than "normal" makes every answer misbehave in one way, for
    the tests of a hostile network: see fake_misbehaviour.py for the modes
    and the attributes of the fake that each one reads.
    """

    def __init__(self, port=0, tls_context=None, quiet=True):
        self.tls_context = tls_context
        self.quiet = quiet
        self.mode = "normal"
        self.requests = []
        self.connections = set()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        # 127.0.0.1 only: the fake knows secrets and misbehaves on purpose;
        # nothing from off this machine may reach it.
        self._server = _Server(("127.0.0.1", port), Handler)
        self._server.fake = self
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def base_url(self):
        scheme = "https" if self.tls_context else "http"
        return "%s://127.0.0.1:%d%s" % (scheme, self.port, BASE_PATH)

    def record(self, seen):
        with self._lock:
            self.requests.append(seen)

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self._server.shutdown()
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def tls_server_context(cert=SERVER_CERT, key=SERVER_KEY):
    """A server context with a test certificate: by default the one for 127.0.0.1.

    The certificates and keys are in tls/ (see tls/README.txt).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _interrupt(signum, frame):
    """The first SIGTERM or SIGINT: the fake stops; any later one is ignored.

    `timeout 1 python3 tests/fake_sipgate.py` sends SIGTERM twice, to the
    fake and then to its group: a second KeyboardInterrupt inside stop()
    would end in a traceback. A no-op handler, not SIG_IGN: a signal that
    arrived before it was set still finds a Python handler to run.
    """
    _ignore_stop_signals()
    raise KeyboardInterrupt


def _ignore_stop_signals():
    for each in _STOP_SIGNALS:
        signal.signal(each, _ignore)


def _ignore(signum, frame):
    pass


def port_number(text):
    """--port's value: 0 to 65535 in ASCII digits ("0": a free port); else a usage error.

    Not int(): it takes " 80", "+80", "8_0" and "\u0663", and 4301 digits
    make it raise a ValueError of its own.
    """
    if not (is_digits(text) and len(text) <= 5 and int(text) <= 65535):
        raise argparse.ArgumentTypeError("not a port number from 0 to 65535: %r" % (text,))
    return int(text)


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        # One line, exit 2 as argparse's own: the usage is what --help is for.
        self.exit(2, "%s: error: %s\n" % (self.prog, message))


def main(argv=None):
    parser = _ArgumentParser(description="A fake sipgate REST API on 127.0.0.1.")
    parser.add_argument("--port", type=port_number, default=0,
                        help="port to listen on, 0 to 65535 (0, the default: a free one)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    try:
        fake = FakeSipgate(args.port, quiet=args.quiet)
    except OSError as error:  # in use, or below 1024 without the right to it
        sys.stderr.write("%s: error: cannot listen on 127.0.0.1:%d: %s\n"
                         % (parser.prog, args.port, error.strerror or error))
        return 1
    fake.start()
    try:
        # SIGTERM (what `kill` sends) stops the fake as cleanly as Ctrl-C does;
        # once it stops, neither interrupts it again.
        for each in _STOP_SIGNALS:
            signal.signal(each, _interrupt)
        sys.stdout.write(fake.base_url + "\n")
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        _ignore_stop_signals()
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
