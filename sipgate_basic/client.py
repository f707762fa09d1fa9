"""One request: GET {base URL}/account, and the account that comes back.

The request's story in the order it flows, told by `fetch_account`: build
the request with its Authorization header, send it, read the response. Each
defence is one named call into `guards`: `transport` (no redirects, verified
TLS), `limits` (the deadline, the body, what an account is), `network` (a
failure in words), `masking` (no secret in an error), `checks` (401 hints).
"""

import collections
import urllib.error
import urllib.request

from . import __version__, auth
from .defaults import DEFAULT_TIMEOUT
from .errors import SipgateError, status_error
from .guards import checks, limits, masking, network, transport

USER_AGENT = "sipgate_basic/" + __version__

# What came back: the status line, the headers as (name, value) pairs, the body bytes.
Response = collections.namedtuple("Response", "version status reason headers body")


class Watcher(object):
    """Sees the request go out and the response come in, and changes neither.
    This one does nothing; the command line's prints them (cli.Printer)."""

    def request(self, request):
        pass

    def response(self, response):
        pass


def fetch_account(config, timeout=DEFAULT_TIMEOUT, watcher=Watcher(), offline=False):
    """GET /account with `config`'s credentials: the account, a dict; None if `offline`.

    Raises a SipgateError (see `errors`), its text masked where it is made.
    """
    try:
        request = build_request(config)
        watcher.request(request)
        if offline:
            return None
        response = send(request, config, timeout)
        watcher.response(response)
        return read_account(response, config)
    except SipgateError as error:
        raise masking.hidden_in(error, masking.secrets_of(config))


def build_request(config):
    """The request for GET /account, with the Authorization header on it."""
    request = urllib.request.Request(account_url(config.base_url), method="GET")
    request.add_header("Accept", "application/json")
    request.add_header("User-Agent", USER_AGENT)
    # "Unredirected": never copied onto a redirected request (we follow none).
    if not config.missing_credentials:  # (--offline may show a request without)
        request.add_unredirected_header("Authorization", auth_header(config))
    # Host names the API, also when the connection goes to a proxy.
    request.add_unredirected_header("Host", request.host)
    return request


def account_url(base_url):
    """The /account endpoint under `base_url`, without a doubled slash."""
    return base_url.rstrip("/") + "/account"


def auth_header(config):
    """The Authorization value: Bearer for an OAuth access token, else Basic Auth."""
    if config.access_token:
        return auth.bearer_auth_header(config.access_token)
    return auth.basic_auth_header(config.token_id, config.token)


def send(request, config, timeout=DEFAULT_TIMEOUT):
    """Send `request` by `config.route`; return the Response, whatever its status."""
    hop = network.Hop(request.get_header("Host"), config.route.proxy, config.cacert)
    opener = transport.opener_for(request, config.route, hop, config.cacert)

    def exchange():
        with network.Explained(hop, timeout):  # a failure, named by the hop it happened at
            return receive(opener, request, timeout)

    # In a worker thread, so that `timeout` bounds the whole exchange, not each read.
    return limits.within(timeout, exchange, lambda: network.timed_out(hop, timeout))


def receive(opener, request, timeout):
    """Open the request and read the response."""
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error  # a status outside 2xx is a response too: read it
    try:  # only a 2xx body means anything here; any other status says it all
        ok = 200 <= response.getcode() < 300
        body = limits.read_body(response, request.get_header("Host")) if ok else b""
    finally:
        response.close()
    return Response("1.0" if getattr(response, "version", 11) == 10 else "1.1",
                    response.getcode(), response.reason, list(response.headers.items()), body)


def read_account(response, config):
    """The account, decoded from a 2xx JSON response; else the error its status means."""
    secrets = masking.secrets_of(config)
    if not 200 <= response.status < 300:
        where = masking.shown_location(response.headers, account_url(config.base_url), secrets)
        raise status_error(response.status, response.reason, config, checks.hints(config), where)
    return limits.decode_account(response.status, response.body, secrets)
