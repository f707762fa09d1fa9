"""One request: GET {base URL}/account, and the answer that came back.

Owns: the URL and headers of the request, the urllib opener that sends it
(TLS trust, the route, no redirects), the time limit on the whole
exchange, reading a body of bounded size, and decoding the account from a
2xx answer. Leaves the credentials to `config` and `auth`, the choice of
route to `proxy`, the words for network failures to `network`, and what
any other status means to `errors`.

Read it top to bottom: fetch_account is the whole story in two lines,
and each step follows in the order the request takes.
"""

import collections
import functools
import http.client
import json
import os
import ssl
import stat
import threading
import urllib.error
import urllib.parse
import urllib.request

from . import __version__, auth
from .errors import ConfigError, NetworkError, SipgateError, UnexpectedAnswer, status_error
from .guards.network import Hop, certificate_failed, issuer_name, network_error, timed_out
from .guards.urls import DEFAULT_PORTS, split_authority

USER_AGENT = "sipgate_basic/" + __version__
DEFAULT_TIMEOUT = 10.0  # seconds, for the whole exchange
MAX_TIMEOUT = 600.0     # a wait longer than ten minutes is a mistake, not a wish
# The account answer is a few hundred bytes; anything past 1 MiB is not it.
MAX_BODY = 1024 * 1024

# What came back: the status line, the headers as (name, value) pairs, the body bytes.
Answer = collections.namedtuple("Answer", "version status reason headers body")


def fetch_account(config, timeout=DEFAULT_TIMEOUT, cafile=None):
    """GET /account with `config`'s credentials; return the decoded account.

    Raises a SipgateError subclass (see `errors`) for every expected failure.
    """
    request = build_request(config)
    return read_account(send(request, config.route, timeout, cafile), config)


def account_url(base_url):
    """The /account endpoint under `base_url`, without a doubled slash."""
    return base_url.rstrip("/") + "/account"


def build_request(config):
    """The request for GET /account, with the Authorization header on it."""
    request = urllib.request.Request(account_url(config.base_url), method="GET")
    request.add_header("Accept", "application/json")
    request.add_header("User-Agent", USER_AGENT)
    # urllib copies ordinary headers onto a redirected request, wherever it
    # goes; an "unredirected" header stays with this request only. We do
    # not follow redirects at all (see NoRedirects), and this is the second
    # lock on the same door. (Without credentials, --offline shows where
    # they would go; nothing is sent.)
    if not config.unfilled:
        request.add_unredirected_header("Authorization", config.authorization())
    # Host names the API, also when the connection goes to a proxy.
    request.add_unredirected_header("Host", request.host)
    return request


def send(request, route, timeout=DEFAULT_TIMEOUT, cafile=None):
    """Send `request` by `route`; return its Answer, whatever the status.

    `timeout` bounds the whole exchange: name lookup, connect, proxy, TLS,
    headers and body. A socket timeout alone bounds each read, so a server
    that drips one byte a second would never trip it, and name lookups
    ignore it; so the exchange runs in a worker thread that we wait for at
    most `timeout` seconds. Raises NetworkError, UnexpectedAnswer or ConfigError.
    """
    hop = Hop(request.get_header("Host"), route.proxy, cafile)
    opener = build_opener(request.type, hop, cafile)
    if route.proxy is not None:
        # The proxy gets a CONNECT for our host and port, with its own
        # credentials; urllib sends Proxy-Authorization only there.
        request.set_proxy(route.proxy.hostport, "http")
        if route.proxy.authorization():
            request.add_unredirected_header("Proxy-Authorization", route.proxy.authorization())
    outcome = []

    def exchange():
        try:
            outcome.append((True, receive(opener, request, hop, timeout)))
        except Exception as error:
            outcome.append((False, error))

    # A daemon thread does not keep the program alive once we give up on it.
    worker = threading.Thread(target=exchange, name="sipgate-request", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise timed_out(hop, timeout)
    ok, result = outcome[0]
    if ok:
        return result
    if isinstance(result, SipgateError):
        raise result
    # Anything else that urllib or http.client raised on what a server
    # sent: named by its kind only, since its text may repeat that input.
    raise UnexpectedAnswer("the answer from %s could not be read (%s)"
                           % (hop.host, result.__class__.__name__))


def build_opener(scheme, hop, cafile=None):
    """A urllib opener: no redirects, no proxy of its own choosing; TLS for https."""
    # ProxyHandler({}): urllib must not pick a proxy from the environment;
    # the route was chosen, once, by `proxy`, and send() applies it.
    handlers = [NoRedirects(), urllib.request.ProxyHandler({})]
    if scheme == "https":
        # Loading the trusted certificates takes longer than the whole
        # request to a local server, so only a https request pays for it.
        handlers.append(HTTPSHandler(tls_context(cafile), hop))
    return urllib.request.build_opener(*handlers)


def tls_context(cafile=None):
    """Certificate and host-name checks as the system does them, or against `cafile` only.

    Without --cacert, OpenSSL's defaults apply, SSL_CERT_FILE and
    SSL_CERT_DIR included; with it, only the certificates in that file.
    """
    if cafile is not None and not os.path.isfile(cafile):
        # A folder, a missing file, or a pipe that might never be written to.
        raise ConfigError("--cacert %s: cannot be used as a CA certificate file (no such "
                          "file)" % cafile)
    cert_file = os.environ.get("SSL_CERT_FILE")
    if cafile is None and cert_file and is_pipe(cert_file):
        # OpenSSL would open it and wait, before --timeout starts counting.
        raise ConfigError("SSL_CERT_FILE %s: is a pipe, not a file of CA certificates"
                          % cert_file)
    try:
        return ssl.create_default_context(cafile=cafile)
    except ssl.SSLError:
        raise ConfigError("--cacert %s: cannot be used as a CA certificate file (it holds "
                          "no PEM certificate)" % cafile)
    except OSError as error:
        raise ConfigError("--cacert %s: cannot be used as a CA certificate file (%s)"
                          % (cafile, error.strerror or "cannot be read"))


def is_pipe(path):
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Follow no redirect: a 3xx is reported as the answer it is.

    urllib would otherwise follow it and send our headers to whatever host
    the Location names (curl's CVE-2018-1000007 was exactly this). Nor is
    the Location parsed here: read_account says where it pointed.
    """

    def http_error_302(self, req, fp, code, msg, headers):
        return None  # the next handler turns the 3xx into an HTTPError: an answer

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class HTTPSConnection(http.client.HTTPSConnection):
    """http.client's HTTPS connection, telling `hop` once the proxy's tunnel is open."""

    def __init__(self, host, hop, **kwargs):
        http.client.HTTPSConnection.__init__(self, host, **kwargs)
        self.hop = hop

    def _tunnel(self):
        # http.client's step that sends CONNECT and reads the proxy's
        # answer; it raises unless the proxy said 200.
        http.client.HTTPSConnection._tunnel(self)
        self.hop.tunnel_open = True


class HTTPSHandler(urllib.request.HTTPSHandler):
    """urllib's https handler, opening our HTTPSConnection."""

    def __init__(self, context, hop):
        urllib.request.HTTPSHandler.__init__(self, context=context)
        self.hop = hop

    def https_open(self, req):
        return self.do_open(functools.partial(HTTPSConnection, hop=self.hop), req,
                            context=self._context)


def receive(opener, request, hop, timeout):
    """Open the request and read the answer: runs in the worker thread."""
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error  # a status outside 2xx is an answer too: read it
    except urllib.error.URLError as error:
        raise failure(hop, error.reason, timeout)
    except (OSError, http.client.HTTPException, ssl.CertificateError) as error:
        # (Python 3.6 raises CertificateError, a ValueError, past urllib.)
        raise failure(hop, error, timeout)
    try:
        # Only a 2xx body means anything here; any other status says it all.
        body = read_body(response, hop) if 200 <= response.getcode() < 300 else b""
    except (OSError, http.client.HTTPException) as error:
        raise network_error(hop, error, timeout)
    finally:
        response.close()
    version = "1.0" if getattr(response, "version", 11) == 10 else "1.1"
    return Answer(version, response.getcode(), response.reason,
                  list(response.headers.items()), body)


def failure(hop, reason, timeout):
    """The error for a failed open; for a certificate, first learn who issued it."""
    if certificate_failed(reason) and not hop.at_proxy:
        hop.issuer = presented_issuer(hop, timeout)
    return network_error(hop, reason, timeout)


def presented_issuer(hop, timeout):
    """Who issued the certificate the API host presents; None if it cannot be learnt.

    A second TLS handshake that checks nothing and sends nothing: it only
    reads the certificate, to tell a private or intercepting authority
    from a broken server. Used only after verification has failed.
    """
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


def read_body(response, hop):
    """The body: refused past MAX_BODY bytes before it fills memory, and never cut short."""
    lengths = response.headers.get_all("Content-Length") or []
    if not all(is_digits(value.strip()) for value in lengths) or len(set(lengths)) > 1:
        raise UnexpectedAnswer("the answer from %s has a Content-Length that is not one "
                               "number" % hop.host)
    announced = int(lengths[0]) if lengths else None
    if announced is not None and announced > MAX_BODY:
        raise UnexpectedAnswer("the answer announces %d bytes; an account answer is a "
                               "few hundred, and more than %d are not read"
                               % (announced, MAX_BODY))
    chunks, size = [], 0
    while True:
        chunk = response.read(64 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BODY:
            raise UnexpectedAnswer("the answer is longer than %d bytes; an account "
                                   "answer is a few hundred. Stopped reading." % MAX_BODY)
        chunks.append(chunk)
    # http.client returns what came when a connection closes early; only
    # counting tells a whole answer from part of one. (A chunked body it
    # checks itself: it raises IncompleteRead.)
    if announced is not None and size < announced and not response.chunked:
        raise NetworkError("the answer from %s broke off after %d of the %d bytes it "
                           "announced" % (hop.host, size, announced))
    return b"".join(chunks)


def is_digits(text):
    """ASCII digits only: str.isdigit() would take "²" and "٣" too."""
    return text != "" and text.strip("0123456789") == ""


def read_account(answer, config):
    """The account, decoded from a 2xx JSON answer; else the error it means."""
    # What the server wrote is cut short below: masked first, so that no
    # cut leaves part of a secret standing.
    secrets = auth.SecretForms(config.secrets())
    if not 200 <= answer.status < 300:
        location = dict((k.lower(), v) for k, v in answer.headers).get("location")
        proxy = config.route.proxy
        raise status_error(answer.status, answer.reason, config.auth_scheme, config.hints(),
                           shown_location(location, config.base_url, secrets), config.origin,
                           proxy and "the proxy %s (from %s)" % (proxy.shown, proxy.variable))
    if not answer.body:
        raise UnexpectedAnswer("HTTP %d, but the answer has no body" % answer.status)
    try:
        return json.loads(answer.body.decode("utf-8"), parse_int=whole_number,
                          parse_float=finite_number, parse_constant=no_constant)
    except RecursionError:
        raise too_deep(answer.status)
    except NotAnAccount as why:
        raise UnexpectedAnswer("HTTP %d, but the JSON %s" % (answer.status, why))
    except ValueError:  # UnicodeDecodeError is a ValueError too
        text = secrets.hidden(answer.body.decode("utf-8", "replace"))
        raise UnexpectedAnswer("HTTP %d, but the body is not JSON; it begins: %r"
                               % (answer.status, text[:60]))


class NotAnAccount(ValueError):
    """JSON that Python's json reads, but no account holds, and --json could not print."""


def whole_number(text):
    # Past 4300 digits Python 3.11 and newer refuse, and 3.6 takes minutes.
    if len(text) > 4300:
        raise NotAnAccount("holds a number of more than 4300 digits")
    return int(text)


def finite_number(text):
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise NotAnAccount("holds a number too large for a float (%s...)" % text[:20])
    return number


def no_constant(name):
    raise NotAnAccount("holds %s, which JSON does not allow" % name)


def too_deep(status):
    """JSON nested deeper than Python's recursion limit: no account is."""
    return UnexpectedAnswer("HTTP %d, but the JSON is nested too deeply to be an account"
                            % status)


def shown_location(location, base_url, secrets):
    """Where a redirect points, made absolute if it can be; masked, then cut to 200 characters."""
    if not location:
        return None
    try:
        location = urllib.parse.urljoin(account_url(base_url), location)
    except ValueError:
        pass  # shown as it came
    return secrets.hidden(location)[:200]


# What --offline and --verbose show -----------------------------------------

def request_lines(request, shown_authorization):
    """The request as it goes on the wire, with the Authorization value masked.

    This is what urllib and http.client send for a Request: http.client's
    Accept-Encoding; the unredirected headers (Authorization and Host);
    the other headers; urllib's Connection: close. (http.client's own
    debug output would print the credentials in full, so we do not use it.)
    """
    headers = [("Accept-Encoding", "identity"), ("Authorization", shown_authorization)]
    for name, value in list(request.unredirected_hdrs.items()) + list(request.headers.items()):
        if name.lower() != "authorization":
            headers.append((name.title(), value))
    headers.append(("Connection", "close"))
    return ["%s %s HTTP/1.1" % (request.get_method(), request.selector)] + [
        "%s: %s" % header for header in headers]


def answer_lines(answer):
    """The status line and headers of an answer."""
    return ["HTTP/%s %d %s" % (answer.version, answer.status, answer.reason)] + [
        "%s: %s" % header for header in answer.headers]
