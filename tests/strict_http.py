"""http.server made strict: every request begun gets an HTTP/1.1 answer.

This file owns StrictHandler, the base of the fake sipgate's Handler and of
the fake proxy's request reader. It holds what a test double needs beyond a
short http.server example, because http.server's defaults are not what an
HTTP/1.1 client should meet:

    "GET /" (no version)           taken for HTTP/0.9: an answer without a status line
    a blank request line           silence
    a TLS ClientHello              a wait for the end of a line that may never come
    no Host, two, or a bad one     answered as if all were well
    a request that stalls midway   the connection dropped without a word
    an exception in the handler    a traceback, the connection dropped
    the Server header              tells the Python version

Here a malformed request line gets 400, a long one 414, a stalled request
408 and a bug in the subclass 500 (logged by the name of the exception only:
its text may quote a header), each with an HTTP/1.1 status line, and the
connection ends after it; so do the errors http.server finds itself (400,
431 for headers). A request whose first byte cannot begin a method (0x16 of
a TLS ClientHello, a space, a CR or LF, a control) gets its 400 as soon as
that byte arrives; one that goes wrong later in its line (a CR without an
LF, say) waits for the line to end, or gets 408 when it stalls. As RFC 9112
3.2 asks, an HTTP/1.1 request without a Host header gets 400, and so does
any request with two Host lines or a Host that is not an authority (host,
optionally :port; empty is allowed); an HTTP/1.0 request may leave Host
out. A client that sends nothing, hangs up or fails TLS is no one to
answer. The Server header is server_version alone.

A subclass defines answer(), which reads the request (self.command,
self.target as sent, self.headers) and writes one answer; refuse() is its way
to end the connection with an error.

Standard library only; runs on CPython 3.6 and later.
"""

import re
import socket
from http.server import BaseHTTPRequestHandler

_HTTP_1 = re.compile(r"HTTP/1\.[0-9]\Z")
_DIGITS = re.compile(r"[0-9]+\Z")
# RFC 9110 5.6.2: the bytes of a token, and so the first of every request (its method).
_TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789"
                   b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# RFC 3986 3.2.2 and 3.2.3: uri-host [ ":" port ], the value of Host (RFC 9110 7.2).
_SUB_DELIMS = r"!$&'()*+,;="
_HOST = re.compile(
    r"(?:\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~%s:]+)\]"  # IP-literal
    r"|(?:[A-Za-z0-9\-._~%s]|%%[0-9A-Fa-f]{2})*)"  # IPv4address or reg-name, maybe empty
    r"(?::[0-9]*)?\Z" % (_SUB_DELIMS, _SUB_DELIMS))


def is_digits(text):
    """True for one or more ASCII digits; str.isdigit() takes "²" too, and \\d "\u0663"."""
    return _DIGITS.match(text) is not None


class StrictHandler(BaseHTTPRequestHandler):
    """One connection whose every request begun gets an answer with a status line."""

    # A request stalled this long gets 408; an idle keep-alive connection just ends.
    timeout = 30

    def answer(self):
        raise NotImplementedError("a subclass answers the request")

    def handle_one_request(self):
        self.answered = False  # has a byte of the answer gone out?
        self.requestline, self.command = "", None
        # http.server's default, HTTP/0.9, would mean answers without a status line.
        self.request_version = "HTTP/1.1"
        try:
            first = self.peek()[:1]
            if not first:
                self.close_connection = True  # the client hung up
                return
        except OSError:  # idle too long, reset, failed TLS: nothing was asked, nothing to answer
            self.close_connection = True
            return
        try:
            if first[0] not in _TCHAR:  # TLS to a plain port, say: no need to wait for a line
                return self.refuse(400, "Not an HTTP request")
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.refuse(414)
            elif self.parse_request():
                self.answer()
        except socket.timeout:
            self.refuse(408)  # the client began a request, then stalled
        except OSError:
            self.close_connection = True  # the connection broke: no one to answer
        except Exception as error:
            # A bug in the fake, shown as one. Not the error's text: it may quote a header.
            self.log_message("fake error %s", type(error).__name__)
            self.refuse(500)

    def peek(self):
        """The next bytes of the request without taking them; b"" once the client hung up.

        A subclass whose rfile is unbuffered (rbufsize 0, so that not a byte
        after the request is read) peeks at the socket instead.
        """
        return self.rfile.peek(1)

    def parse_request(self):
        # http.server would take "GET /" for HTTP/0.9, answer HTTP/2.0 with a
        # bare 505 and a blank line with silence; an HTTP/1.1 server says 400.
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or not _HTTP_1.match(words[2]):
            return self.refuse(400, "Bad request line")
        self.target = words[1]  # as sent: some versions of http.server rewrite self.path
        if not BaseHTTPRequestHandler.parse_request(self):
            return False
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1 or hosts and not _HOST.match(hosts[0].strip(" \t")):
            return self.refuse(400, "Bad Host")
        if not hosts and words[2] != "HTTP/1.0":
            return self.refuse(400, "No Host")  # RFC 9112 3.2: HTTP/1.1 must send one
        return True

    def refuse(self, status, why=None):
        """An error answer that ends the connection; False, as parse_request returns.

        The status line has the standard reason; `why` goes in the body.
        """
        self.close_connection = True
        if not self.answered:
            self._headers_buffer = []  # drop a half-built answer
            try:
                self.send_error(status, None, why)
            except OSError:
                pass
        return False

    def flush_headers(self):
        self.answered = True
        BaseHTTPRequestHandler.flush_headers(self)

    def version_string(self):
        return self.server_version  # not http.server's, which adds the Python version

    def finish(self):
        try:
            BaseHTTPRequestHandler.finish(self)
        except OSError:
            pass  # the client went first: its own business
