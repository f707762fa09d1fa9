"""One request: GET {base URL}/account, and the answer that came back.

Owns: the URL, the request headers, the urllib opener that sends the
request (TLS trust, proxies, no redirects), the time limit on the whole
exchange, and reading a body of bounded size. Leaves the credentials to
`config` and `auth`, and what a status means to `errors`.
"""

import collections
import http.client
import json
import socket
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request

from . import __version__
from .errors import ConfigError, UnexpectedAnswer, status_error, timed_out, transport_error

USER_AGENT = "sipgate_basic/" + __version__
# The account answer is a few hundred bytes; anything past 1 MiB is not it.
MAX_BODY = 1024 * 1024

# What came back: the status line, the headers as (name, value) pairs, the body bytes.
Answer = collections.namedtuple("Answer", "version status reason headers body")


def account_url(base_url):
    """The /account endpoint under `base_url`, without a doubled slash."""
    return base_url.rstrip("/") + "/account"


def origin(url):
    """scheme://host:port of `url`: the only place credentials may go."""
    parts = urllib.parse.urlsplit(url)
    host = "[%s]" % parts.hostname if ":" in parts.hostname else parts.hostname
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return "%s://%s:%s" % (parts.scheme, host, parts.port or default)


def build_request(config):
    """The request for GET /account, with the Authorization header on it."""
    request = urllib.request.Request(account_url(config.base_url), method="GET")
    request.add_header("Accept", "application/json")
    request.add_header("User-Agent", USER_AGENT)
    # urllib copies ordinary headers onto a redirected request, wherever it
    # goes; an "unredirected" header stays with this request only. We do
    # not follow redirects at all (see NoRedirects), and this is the second
    # lock on the same door.
    request.add_unredirected_header("Authorization", config.authorization())
    return request


def request_lines(request, shown_authorization):
    """The request as it goes on the wire, with the Authorization value masked.

    This is what urllib and http.client send for a Request: http.client's
    Accept-Encoding; the unredirected headers (ours, then the Host that
    urllib adds when it opens the request); the other headers; urllib's
    Connection: close. (http.client's own debug output would print the
    credentials in full, so we do not use it.)
    """
    unredirected = list(request.unredirected_hdrs.items())
    if not request.has_header("Host"):
        unredirected.append(("Host", request.host))
    headers = [("Accept-Encoding", "identity")]
    for name, value in unredirected + list(request.headers.items()):
        if name.lower() == "authorization":
            value = shown_authorization
        headers.append((name.title(), value))
    headers.append(("Connection", "close"))
    return ["%s %s HTTP/1.1" % (request.get_method(), request.selector)] + [
        "%s: %s" % header for header in headers]


def answer_lines(answer):
    """The status line and headers of an answer, for --verbose."""
    return ["HTTP/%s %d %s" % (answer.version, answer.status, answer.reason)] + [
        "%s: %s" % header for header in answer.headers]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: it is reported as the 3xx answer it is.

    urllib would otherwise follow it and send our headers to whatever host
    the Location names (curl's CVE-2018-1000007 was exactly this).
    """

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def tls_context(cafile=None):
    """Certificate checks as the system does them, or against `cafile` only."""
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as error:
        raise ConfigError("--cacert %s: cannot be used as a CA certificate file (%s)"
                          % (cafile, getattr(error, "strerror", None) or error))


def build_opener(request, cafile=None):
    """A urllib opener for `request`: no redirects; TLS and proxies as the URL needs."""
    handlers = [NoRedirects()]
    if request.type == "https":
        # Loading the trusted certificates takes longer than the whole
        # request to a local server, so only a https request pays for it.
        handlers.append(urllib.request.HTTPSHandler(context=tls_context(cafile)))
    else:
        # Plain http is allowed only to this machine (config checks that);
        # a proxy would carry the credentials off it in clear text. For
        # https, urllib's ProxyHandler honours HTTPS_PROXY and NO_PROXY, and
        # a proxy sees only the encrypted tunnel.
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def send(request, timeout=10.0, cafile=None):
    """Send `request`; return its Answer, whatever the status.

    `timeout` bounds the whole exchange: name lookup, connect, TLS, headers
    and body. A socket timeout alone bounds each read, so a server that
    drips one byte a second would never trip it, and name lookups ignore
    it; so the exchange runs in a worker thread that we wait for at most
    `timeout` seconds. Raises NetworkError, UnexpectedAnswer or ConfigError.
    """
    opener = build_opener(request, cafile)
    outcome = []

    def exchange():
        try:
            outcome.append((True, receive(opener, request, timeout)))
        except Exception as error:
            outcome.append((False, error))

    # A daemon thread does not keep the program alive once we give up on it.
    worker = threading.Thread(target=exchange, name="sipgate-request", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise timed_out(request.host, timeout)
    ok, result = outcome[0]
    if not ok:
        raise result
    return result


def receive(opener, request, timeout):
    """Open the request and read the answer: runs in the worker thread."""
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error  # a status outside 2xx is an answer too: read it
    except urllib.error.URLError as error:
        raise failure(request.host, error.reason, timeout)
    except (OSError, http.client.HTTPException) as error:
        raise failure(request.host, error, timeout)
    try:
        body = read_body(response)
    except (OSError, http.client.HTTPException) as error:
        raise failure(request.host, error, timeout)
    finally:
        response.close()
    version = "1.0" if getattr(response, "version", 11) == 10 else "1.1"
    status = response.getcode()
    return Answer(version, status, response.reason, list(response.headers.items()), body)


def failure(host, reason, timeout):
    """One socket read timing out is the whole exchange timing out."""
    if isinstance(reason, socket.timeout):
        return timed_out(host, timeout)
    return transport_error(host, reason)


def read_body(response):
    """The body, refused past MAX_BODY bytes before it fills memory."""
    length = response.headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > MAX_BODY:
        raise UnexpectedAnswer("the answer announces %s bytes; an account answer is a "
                               "few hundred, and more than %d are not read"
                               % (length, MAX_BODY))
    chunks, size = [], 0
    while True:
        chunk = response.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY:
            raise UnexpectedAnswer("the answer is longer than %d bytes; an account "
                                   "answer is a few hundred. Stopped reading." % MAX_BODY)
        chunks.append(chunk)


def read_account(answer, request, auth_scheme="Basic"):
    """The account, decoded from a 2xx JSON answer; else the error it means."""
    if not 200 <= answer.status < 300:
        location = dict((k.lower(), v) for k, v in answer.headers).get("location")
        if location:
            location = urllib.parse.urljoin(request.full_url, location)
        raise status_error(answer.status, answer.reason, auth_scheme, location,
                           origin(request.full_url))
    try:
        return json.loads(answer.body.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError too
        raise UnexpectedAnswer("HTTP %d, but the body is not JSON; it begins: %r"
                               % (answer.status, answer.body[:60].decode("utf-8", "replace")))


def fetch_account(config, timeout=10.0, cafile=None):
    """GET /account with `config`'s credentials; return the decoded account.

    Raises a SipgateError subclass (see `errors`) for every expected failure.
    """
    request = build_request(config)
    return read_account(send(request, timeout, cafile), request, config.auth_scheme)
