"""What can go wrong, what to tell the user, and which exit code says it.

Owns: the exit-code table, the likely cause of each HTTP status (from the
official sipgate.io examples' Common Issues table, plus 403), and the
wording of network failures. This is the one place that turns a failure
into a message and an exit code; the other modules raise these errors and
`cli` prints them.

No message here ever holds a token, an access token or Base64 credentials.
"""

import http.client
import socket
import ssl

# Exit codes, for `--help`, the README and scripts that branch on them.
EXIT_CODES = (
    (0, "success"),
    (1, "unexpected answer (for example a body that is not JSON)"),
    (2, "usage or configuration error; nothing was sent"),
    (3, "credentials rejected: 401 or 403"),
    (4, "any other HTTP error status"),
    (5, "network failure: unknown host, refused, TLS, timeout"),
    (130, "interrupted"),
)


class SipgateError(Exception):
    """A failure we expected and can explain. `exit_code` says which."""

    exit_code = 1


class UnexpectedAnswer(SipgateError):
    """An answer that is not what /account gives: not HTTP, not JSON, too long."""

    exit_code = 1


class ConfigError(SipgateError):
    """Raised before anything is sent."""

    exit_code = 2


class UsageError(ConfigError):
    """A command line we cannot read. Never echoes an argument."""


class CredentialsRejected(SipgateError):
    """The server said 401 or 403: the credentials, not the network, are at fault."""

    exit_code = 3


class HTTPStatusError(SipgateError):
    """Any other status outside 2xx, redirects included."""

    exit_code = 4


class NetworkError(SipgateError):
    """No usable answer: name lookup, connection, TLS or time limit failed."""

    exit_code = 5


# The likely cause of each status, as the official examples list them.
STATUS_CAUSES = {
    401: "the token ID and/or token are wrong, or the credentials are not Base64-encoded",
    403: "the token lacks the scope this endpoint needs (account:read for /account)",
    404: "wrong REST API endpoint (check SIPGATE_BASE_URL)",
    405: "wrong request method",
}
BEARER_401 = "the access token is wrong or has expired"
SERVER_SIDE = "a problem on sipgate's side; try again later"


def status_error(status, reason, auth_scheme="Basic", location=None, origin=None):
    """The error for a response whose status is not 2xx."""
    head = ("HTTP %d %s" % (status, reason or "")).strip()
    if 300 <= status < 400:
        return HTTPStatusError(
            "%s: the server redirects to %s. Not followed: credentials go only to %s. "
            "If that address is right, set SIPGATE_BASE_URL to it."
            % (head, location or "(no Location given)", origin))
    if status == 401 and auth_scheme == "Bearer":
        cause = BEARER_401
    elif status >= 500:
        cause = SERVER_SIDE
    else:
        cause = STATUS_CAUSES.get(status, "the server refused the request")
    error_class = CredentialsRejected if status in (401, 403) else HTTPStatusError
    return error_class("%s: %s" % (head, cause))


def timed_out(host, seconds):
    """The error for an exchange that did not finish within --timeout."""
    return NetworkError("timed out after %g s: no complete answer from %s (--timeout)"
                        % (seconds, host))


def transport_error(host, reason):
    """The error for a request that got no usable HTTP answer from `host`.

    `reason` is the exception urllib, http.client or the socket raised; we
    name it in words.
    """
    if isinstance(reason, socket.gaierror):
        return NetworkError("cannot resolve host %s (%s)" % (host, reason.strerror))
    if isinstance(reason, ConnectionRefusedError):
        return NetworkError("connection to %s refused: nothing listens there" % host)
    if isinstance(reason, http.client.RemoteDisconnected):
        return NetworkError("%s closed the connection without answering" % host)
    if isinstance(reason, (ConnectionResetError, http.client.IncompleteRead)):
        return NetworkError("connection to %s broke off before the whole answer arrived" % host)
    # Python 3.6 raises CertificateError for a name mismatch; every version
    # raises an SSLError whose reason is CERTIFICATE_VERIFY_FAILED otherwise.
    if isinstance(reason, ssl.CertificateError) or (
            isinstance(reason, ssl.SSLError) and reason.reason == "CERTIFICATE_VERIFY_FAILED"):
        detail = getattr(reason, "verify_message", None) or "not trusted"
        return NetworkError(
            "the TLS certificate of %s could not be verified (%s). If your network "
            "uses a private certificate authority, pass --cacert FILE with its "
            "certificate." % (host, detail))
    if isinstance(reason, ssl.SSLError):
        return NetworkError("TLS with %s failed (%s)" % (host, reason.reason or reason))
    if isinstance(reason, OSError):
        return NetworkError("network error talking to %s: %s"
                            % (host, reason.strerror or reason.__class__.__name__))
    if isinstance(reason, http.client.HTTPException):
        return UnexpectedAnswer("the answer from %s is not HTTP (%s)"
                                % (host, reason.__class__.__name__))
    return NetworkError("network error talking to %s: %s" % (host, reason))
