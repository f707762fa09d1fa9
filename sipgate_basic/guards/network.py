"""Guard: a failure on the way to the API is named by the hop and stage where it happened.

Promise (README Security, rows "Broken connections" and "TLS verified"):
whatever socket, ssl, http.client or urllib raise becomes one NetworkError
(exit 5) or UnexpectedResponse (exit 1): the proxy's, until its tunnel is
open, else the API host's; in our words first, what to change (the host,
HTTPS_PROXY, --cacert, --timeout), the same on every Python. For a
certificate that failed, who issued it ("Corp Proxy CA" tells interception
from a broken server). A proxy is shown only as `Proxy.shown`.
"""

import http.client
import re
import socket
import ssl
import urllib.error

from ..errors import NetworkError, SipgateError, UnexpectedResponse
from .urls import DEFAULT_PORTS, split_authority

# http.client's words when a proxy answers CONNECT with anything but 200;
# the same from Python 3.6 to 3.13.
_TUNNEL_REFUSED = r"Tunnel connection failed: (\d{3}) ?(.*)"
_CN, _O = b"\x55\x04\x03", b"\x55\x04\x0a"  # the OIDs 2.5.4.3 and 2.5.4.10


class Hop(object):
    """Where one exchange has got to: at the proxy until its tunnel is open, then the host."""

    def __init__(self, host, proxy=None, cafile=None):
        self.host = host              # the API's host[:port], as in the Host header
        self.proxy = proxy            # a proxy.Proxy, or None for direct
        self.cafile = cafile          # --cacert, if given
        self.tunnel_open = False      # set by transport's connection once CONNECT succeeds
        self.handshaken = None        # for https, False until transport's TLS is up
        self.issuer = None            # of a certificate that failed to verify, if learnt

    @property
    def at_proxy(self):
        return self.proxy is not None and not self.tunnel_open

    def proxy_name(self):
        return "the proxy %s (from %s)" % (self.proxy.shown, self.proxy.variable)

    def through(self):
        return " through %s" % self.proxy_name() if self.proxy else ""


class Explained(object):
    """Within it, whatever the exchange raises becomes `failure`'s SipgateError."""

    def __init__(self, hop, seconds):
        self.hop, self.seconds = hop, seconds

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, Exception):
            raise failure(self.hop, error, self.seconds)


def failure(hop, error, seconds):
    """The SipgateError for whatever the exchange raised; for a certificate, first its issuer."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, SipgateError):
        return reason
    if certificate_failed(reason) and not hop.at_proxy:
        hop.issuer = presented_issuer(hop, seconds)
    if isinstance(reason, (OSError, http.client.HTTPException, ssl.CertificateError)):
        return network_error(hop, reason, seconds)
    # Anything else that urllib or http.client raised on what a server
    # sent: named by its kind only, since its text may repeat that input.
    return UnexpectedResponse("the response from %s could not be read (%s)"
                              % (hop.host, reason.__class__.__name__))


def timed_out(hop, seconds):
    """The error for an exchange that did not finish within --timeout."""
    if hop.at_proxy:
        return NetworkError(
            "timed out after %g s waiting for %s to open a tunnel to %s (--timeout). "
            "Check that %s names a proxy that answers." % (seconds, hop.proxy_name(), hop.host,
                                                           hop.proxy.variable))
    return NetworkError("timed out after %g s: no complete response from %s%s (--timeout)"
                        % (seconds, hop.host, hop.through()))


def network_error(hop, reason, seconds):
    """The error for an exchange that got no usable response; `reason` is what was raised."""
    if isinstance(reason, socket.timeout):
        return timed_out(hop, seconds)
    if hop.at_proxy:
        return proxy_error(hop, reason)
    host, through = hop.host, hop.through()
    if isinstance(reason, socket.gaierror):
        return NetworkError("cannot resolve host %s (%s)" % (host, reason.strerror))
    if isinstance(reason, ConnectionRefusedError):
        return NetworkError("connection to %s refused: nothing listens there" % host)
    # A hang-up too: some builds read a reset as one (RemoteDisconnected), or as TLS's.
    if isinstance(reason, (ConnectionResetError, http.client.IncompleteRead)) or (
            closed_in_tls(reason) and hop.handshaken):
        # A reset comes only once connected: before TLS is up, it is the handshake's.
        return NetworkError("connection to %s broke off %s%s" % (host, "during the TLS handshake"
            if hop.handshaken is False else "before the whole response arrived", through))
    if certificate_failed(reason):
        return certificate_error(hop, reason)
    if closed_in_tls(reason):
        return NetworkError("%s closed the connection during the TLS handshake%s"
                            % (host, through))
    if isinstance(reason, ssl.SSLError):
        return NetworkError("TLS with %s failed (%s)%s" % (
            host, reason.reason or reason.__class__.__name__, through))
    if isinstance(reason, OSError):
        return NetworkError("network error talking to %s%s (%s)" % (
            host, through, reason.strerror or reason.__class__.__name__))
    if isinstance(reason, http.client.HTTPException):
        return UnexpectedResponse("the response from %s is not HTTP (%s)"
                                  % (host, reason.__class__.__name__))
    return NetworkError("network error talking to %s%s (%s)"
                        % (host, through, reason.__class__.__name__))


def closed_in_tls(reason):
    """Whether the server hung up on TLS, in the handshake or after, however the build says it:
    SSLEOFError (3.10+), SSLZeroReturnError (3.8, 3.9, Debian's 3.11.2, PyPy),
    "unexpected eof" in a misnamed SSLError (3.6, 3.7), errno 0 (bpo-31122)."""
    if isinstance(reason, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        return True
    if isinstance(reason, ssl.SSLError):
        return "unexpected eof" in str(reason).lower()
    return type(reason) is OSError and reason.errno == 0


def proxy_error(hop, reason):
    """The error for a failure before the proxy's tunnel was open: the proxy's, in words."""
    proxy, name, variable = hop.proxy, hop.proxy_name(), hop.proxy.variable
    refused = re.match(_TUNNEL_REFUSED, str(reason), re.S) if type(reason) is OSError else None
    if refused:
        status, phrase = int(refused.group(1)), refused.group(2).strip()
        said = ("HTTP %d %s" % (status, phrase)).strip()
        # 407 is the status for it; some proxies (tinyproxy) say 401.
        if status in (401, 407) and proxy.user is None:
            return NetworkError(
                "%s wants a user and password (%s): put them in %s as "
                "http://USER:PASSWORD@HOST:PORT" % (name, said, variable))
        if status in (401, 407):
            return NetworkError("%s refused the user and password given (%s): check the "
                                "user and password in %s" % (name, said, variable))
        why = ("it could not reach %s; try again later, or ask your network's administrators"
               % hop.host if status >= 500 else "its policy may block %s; ask your "
               "network's administrators" % hop.host if status == 403 else "check " + variable)
        return NetworkError("%s refused to open a tunnel to %s (%s): %s"
                            % (name, hop.host, said, why))
    if isinstance(reason, socket.gaierror):
        return NetworkError("cannot resolve the host of %s (%s): check the host in %s"
                            % (name, reason.strerror, variable))
    if isinstance(reason, ConnectionRefusedError):
        return NetworkError("%s refused the connection: nothing listens at %s. Check the "
                            "host and port in %s, or unset it to connect directly"
                            % (name, proxy.hostport, variable))
    if isinstance(reason, (ConnectionResetError, BrokenPipeError, http.client.IncompleteRead)):
        return NetworkError("%s closed the connection without answering the request for a "
                            "tunnel to %s: check that %s names an HTTP proxy"
                            % (name, hop.host, variable))
    if isinstance(reason, http.client.HTTPException):
        return NetworkError("%s answered the request for a tunnel to %s with something that "
                            "is not HTTP: check that %s names an HTTP proxy"
                            % (name, hop.host, variable))
    if isinstance(reason, OSError):
        return NetworkError("network error talking to %s (%s)"
                            % (name, reason.strerror or reason.__class__.__name__))
    return NetworkError("network error talking to %s (%s)" % (name, reason.__class__.__name__))


def certificate_failed(reason):  # 3.6 raises CertificateError for a wrong name
    return isinstance(reason, ssl.CertificateError) or (
        isinstance(reason, ssl.SSLError) and reason.reason == "CERTIFICATE_VERIFY_FAILED")


def certificate_error(hop, reason):
    """A certificate that failed to verify: for which host, issued by whom, and what to do."""
    detail = getattr(reason, "verify_message", None) or (
        "not valid for that name" if isinstance(reason, ssl.CertificateError) else "not trusted")
    message = "the TLS certificate presented for %s could not be verified (%s)" % (
        hop.host, detail)
    if hop.issuer:
        message += "; it was issued by %r" % hop.issuer
    if hop.cafile:
        message += (". Only the authorities in --cacert %s are trusted (it replaces the "
                    "system's, SSL_CERT_FILE and SSL_CERT_DIR)" % hop.cafile)
    if hop.proxy:
        return NetworkError(
            "%s. The connection goes through %s, which may be re-signing TLS with its "
            "own certificate authority: if so, pass --cacert FILE with that authority's "
            "certificate (your IT department has it)." % (message, hop.proxy_name()))
    return NetworkError("%s. If your network uses a private certificate authority, pass "
                        "--cacert FILE with its certificate." % message)


def presented_issuer(hop, timeout):
    """Who issued the certificate the API host presents, or None: after verification
    failed, a second handshake that checks nothing and sends nothing reads it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    host, port = split_authority(hop.host)
    port = port or DEFAULT_PORTS["https"]
    if hop.proxy is None:
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPSConnection(hop.proxy.host, hop.proxy.port,
                                                 timeout=timeout, context=context)
        authorization = hop.proxy.authorization()
        connection.set_tunnel(host, port, {"Proxy-Authorization": authorization}
                              if authorization else None)
    try:
        connection.connect()
        return issuer_name(connection.sock.getpeercert(binary_form=True))
    except Exception:
        return None
    finally:
        connection.close()


# How X.509 writes a name's text, by the tag of its ASN.1 string type.
_STRING_TYPES = {0x0C: "utf-8", 0x13: "latin-1", 0x14: "latin-1", 0x16: "latin-1",
                 0x1E: "utf-16-be", 0x1C: "utf-32-be"}  # BMPString, UniversalString


def issuer_name(der):
    """The issuer's common name (or organisation) in a DER certificate; None if not found.

    Just enough of X.509's DER: each element is a tag byte, a length, and that
    many bytes. A name is decoded by its string type, so that masking sees it.
    """

    def element(at):  # (tag, where its content starts, where it ends)
        tag, length, at = der[at], der[at + 1], at + 2
        if length & 0x80:
            count = length & 0x7F
            length, at = int.from_bytes(der[at:at + count], "big"), at + count
        return tag, at, at + length

    try:
        _, at, _ = element(0)            # Certificate: SEQUENCE {
        _, at, _ = element(at)           #   tbsCertificate: SEQUENCE {
        tag, _, end = element(at)
        if tag == 0xA0:                  #     [0] version (optional)
            at = end
        for _ in range(2):               #     serialNumber, signature
            at = element(at)[2]
        _, at, end = element(at)         #     issuer: SET OF { SEQUENCE { OID, value } }
        names = {}
        while at < end:
            _, inside, at = element(at)
            _, inside, _ = element(inside)
            _, oid, oid_end = element(inside)
            tag, value, value_end = element(oid_end)
            names[der[oid:oid_end]] = der[value:value_end].decode(
                _STRING_TYPES.get(tag, "latin-1"), "replace")
        return names.get(_CN) or names.get(_O)
    except (IndexError, ValueError):
        return None
