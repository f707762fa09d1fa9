"""Exit codes, the errors that carry them, and what an HTTP status means.

Owns the exit-code table (each code written once), the errors that carry
a code, and the likely cause of each HTTP status (the official examples'
Common Issues, plus 403 and redirects). Other messages are written by the
guard that knows the cause. Imports nothing: a floor under core and guards.
"""


class SipgateError(Exception):
    """A failure we can explain: one line, and `exit_code`. No secret in its text:
    `load_config` and `fetch_account` mask every error they raise."""

    exit_code = 1
    meaning = "unexpected response (for example a body that is not JSON), or an internal error"


class UnexpectedResponse(SipgateError):
    """A response that is not what /account gives: not HTTP, not JSON, too long."""


class ConfigError(SipgateError):
    """Raised before anything is sent."""

    exit_code = 2
    meaning = "usage or configuration error; nothing was sent"


class UsageError(ConfigError):
    """A command line we cannot read. Never echoes an argument."""


class CredentialsRejected(SipgateError):
    """The server said 401 or 403: the credentials, not the network, are at fault."""

    exit_code = 3
    meaning = "credentials rejected: 401 or 403"


class HTTPStatusError(SipgateError):
    """Any other status outside 2xx, redirects included."""

    exit_code = 4
    meaning = "any other HTTP error status"


class NetworkError(SipgateError):
    """No usable response: name lookup, connection, proxy, TLS or time limit failed."""

    exit_code = 5
    meaning = "network failure: unknown host, refused, proxy, TLS, broken off, timeout"


SUCCESS = 0
# As curl does (its exit 23, "write error"): the output could not be
# written, so a script must not take the run for a success.
WRITE_ERROR = 23
# 128 + SIGINT, as shells report a program that Ctrl-C ended (__main__
# exits with it straight from its signal handler).
INTERRUPTED = 130

# For --help, the README and scripts that branch on them.
EXIT_CODES = ((SUCCESS, "success"),) + tuple(
    (error.exit_code, error.meaning) for error in
    (SipgateError, ConfigError, CredentialsRejected, HTTPStatusError, NetworkError)) + (
    (WRITE_ERROR, "the output could not be written: standard output closed, full, or a "
                  "broken pipe"),
    (INTERRUPTED, "interrupted (Ctrl-C)"),
)


# The likely cause of each status, as the official examples list them.
STATUS_CAUSES = {
    401: "the token ID and/or token are wrong, or the credentials are not Base64-encoded",
    403: "the token lacks the scope this endpoint needs (account:read for /account)",
    404: "wrong REST API endpoint (check SIPGATE_BASE_URL)",
    405: "wrong request method",
}
BEARER_401 = "the access token is wrong or has expired"
SERVER_SIDE = "a problem on sipgate's side; try again later"
OTHER_STATUS = "the server refused the request"


def status_error(status, reason, config, hints=(), location=None):
    """The error for a status outside 2xx: its likely cause, and hints after a 401.

    A 3xx names where it pointed and the origin, the only place credentials
    go. A proxy that re-signs TLS answers HTTP itself: a 5xx may be its own.
    """
    head = ("HTTP %d %s" % (status, reason or "")).strip()
    proxy = config.route.proxy
    if 300 <= status < 400:
        return HTTPStatusError(
            "%s: the server redirects to %s. Not followed: credentials go only to %s. "
            "If that address is right, set SIPGATE_BASE_URL to it."
            % (head, location or "(no Location given)", config.origin))
    if status == 401 and config.access_token:
        cause = BEARER_401
    elif status >= 500 and proxy:
        cause = ("a problem on sipgate's side, or on the proxy %s (from %s) in between; try "
                 "again later" % (proxy.shown, proxy.variable))
    elif status >= 500:
        cause = SERVER_SIDE
    else:
        cause = STATUS_CAUSES.get(status, OTHER_STATUS)
    message = "%s: %s" % (head, cause)
    if status == 401 and hints:
        message += ". " + " ".join(hints)
    return (CredentialsRejected if status in (401, 403) else HTTPStatusError)(message)
