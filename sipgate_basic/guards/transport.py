"""Guard: credentials go only to the configured origin, over verified TLS.

Promise (README Security, rows "Origin only" and "TLS verified"): the
opener follows no redirect, takes the route `proxy` chose and no other, and
checks certificates and host names against the system's authorities or
--cacert's only. It marks when a proxy's tunnel opens, for `network`.
"""

import http.client
import os
import ssl
import stat
import urllib.request

from ..errors import ConfigError


def opener_for(request, route, hop, cafile=None):
    """A urllib opener for `request` by `route`: no redirects; TLS for https."""
    if route.proxy is not None:
        # The proxy gets a CONNECT for our host and port, with its own
        # credentials; urllib sends Proxy-Authorization only there.
        request.set_proxy(route.proxy.hostport, "http")
        if route.proxy.authorization():
            request.add_unredirected_header("Proxy-Authorization", route.proxy.authorization())
    # ProxyHandler({}): urllib must not pick a proxy from the environment.
    handlers = [NoRedirects(), urllib.request.ProxyHandler({})]
    if request.type == "https":
        # Loading the trusted certificates takes longer than the whole
        # request to a local server, so only a https request pays for it.
        handlers.append(HTTPSHandler(tls_context(cafile), hop))
        hop.handshaken = False
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
    """Follow no redirect: a 3xx is reported as the response it is.

    urllib would otherwise follow it and send our headers to whatever host
    the Location names (curl's CVE-2018-1000007 was exactly this).
    """

    def http_error_302(self, req, fp, code, msg, headers):
        return None  # the next handler turns the 3xx into an HTTPError: a response

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class HTTPSHandler(urllib.request.HTTPSHandler):
    """urllib's https handler, whose connection tells `hop` once a proxy's tunnel is open."""

    def __init__(self, context, hop):
        urllib.request.HTTPSHandler.__init__(self, context=context)
        self.hop = hop

    def https_open(self, req):
        hop = self.hop

        class Connection(http.client.HTTPSConnection):
            def _tunnel(self):  # sends CONNECT; raises unless the proxy answers 200
                http.client.HTTPSConnection._tunnel(self)
                hop.tunnel_open = True

            def connect(self):  # TCP, the proxy's tunnel if any, then the TLS handshake
                http.client.HTTPSConnection.connect(self)
                hop.handshaken = True

        return self.do_open(Connection, req, context=self._context)
