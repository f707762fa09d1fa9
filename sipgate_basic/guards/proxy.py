"""Guard: the route is direct, or through the proxy urllib would choose, never shown whole.

Promise (README Security, row "Proxy route"): `https_proxy` and `no_proxy`
are read exactly as urllib reads them; a proxy variable that would be used
but cannot be is a ConfigError (exit 2) that never echoes it; the proxy's
credentials go only in its CONNECT, and a proxy is shown with its password
masked. The route is chosen once, here, so that --verbose says the route
taken, and no URL holding the password reaches urllib, whose errors repeat it.
"""

import collections
import os
import re

from ..auth import basic_auth_header
from ..errors import ConfigError
from .urls import DEFAULT_PORTS, hostport, split_authority

_SCHEME_NAME = r"[A-Za-z][A-Za-z0-9+.-]*\Z"
NOT_UTF8 = "%s holds bytes that are not UTF-8 text; set it again, as plain text"


class Proxy(object):
    """An HTTP proxy as named in `variable`; repr and `shown` mask the password."""

    __slots__ = ("host", "port", "user", "password", "variable")

    def __init__(self, host, port, user, password, variable):
        self.host, self.port, self.variable = host, port, variable
        self.user, self.password = user, password  # None when the URL names no user

    @property
    def hostport(self):
        return hostport(self.host, self.port)

    @property
    def shown(self):
        """The proxy's URL as it may be printed: user name shown, password masked."""
        user = ""
        if self.user is not None:
            user = self.user + (":<hidden>" if self.password else "") + "@"
        return "http://%s%s" % (user, self.hostport)

    def authorization(self):
        """The Proxy-Authorization value (RFC 7235 section 4.4), or None."""
        return None if self.user is None else basic_auth_header(self.user, self.password or "")

    def __repr__(self):
        return "Proxy(%s, from %s)" % (self.shown, self.variable)


# The route: the Proxy, or None for direct; and, in words, why.
Route = collections.namedtuple("Route", "proxy why")


def choose_route(scheme, authority, environ):
    """The Route to scheme://authority (host[:port] as the URL has it), or ConfigError."""
    if scheme == "http":
        return Route(None, "direct: clear-text http:// goes only to this machine, "
                           "never through a proxy")
    value, variable, overridden = proxy_variable(environ, "https")
    if not value:
        return Route(None, "direct: " + (overridden or "neither https_proxy nor HTTPS_PROXY "
                                                      "is set"))
    bypass, bypass_variable, bypass_overridden = proxy_variable(environ, "no")
    bypass = system_text(bypass)
    if bypass is None:
        raise ConfigError(NOT_UTF8 % bypass_variable)
    entry = no_proxy_entry(authority, bypass)
    if entry is not None:
        return Route(None, "direct: %s entry %r matches %s"
                     % (bypass_variable, entry, split_authority(authority)[0]))
    proxy = parse_proxy(value, variable)
    why = "through the proxy %s (from %s)" % (proxy.shown, variable)
    return Route(proxy, why + ("; " + bypass_overridden if bypass_overridden else ""))


def system_text(value):
    """Text from the environment or a flag, its bytes read again as UTF-8; None if not UTF-8."""
    try:
        return os.fsencode(value).decode("utf-8")
    except UnicodeError:
        return None


def proxy_variable(environ, kind):
    """(value, variable, a note or None) for KIND_proxy, as urllib's getproxies_environment.

    A variable in any letter case counts (Https_Proxy too); then one whose
    name ends in a lowercase "_proxy" wins, and, set but empty, it unsets
    the others. The note says so when that hides a value.
    """
    wanted = kind + "_proxy"
    named = [(name, text) for name, text in environ.items() if name.lower() == wanted]
    value, variable = "", None
    for name, text in named:
        if text:
            value, variable = text, name
    hidden = variable
    for name, text in named:
        if name.endswith("_proxy"):
            value, variable = text, name
    if value or not hidden:
        return value, variable or kind.upper() + "_PROXY", None
    return "", variable, "%s is set but empty, which overrides %s (as in urllib)" % (
        variable, hidden)


def parse_proxy(value, variable):
    """The Proxy that `value` names; ConfigError, never echoing `value`, if it cannot be used."""

    def refuse(problem):
        # The value itself is never shown: it may hold a password.
        return ConfigError("%s cannot be used as a proxy: %s. Expected "
                           "http://[USER:PASSWORD@]HOST:PORT" % (variable, problem))

    value = system_text(value)
    if value is None:
        raise refuse("it holds bytes that are not UTF-8 text; %-encode them")
    # http://[USER[:PASSWORD]@]HOST[:PORT][/]. As urllib reads it, a value
    # whose "scheme:" is not followed by "/" has no scheme at all: it is
    # USER:PASSWORD@HOST:PORT or HOST:PORT, and means http.
    rest = value.strip()
    name, colon, after = rest.partition(":")
    if colon and after.startswith("/") and re.match(_SCHEME_NAME, name):
        name = name.lower()
        if not after.startswith("//"):
            raise refuse("'%s:' is not followed by //" % name)
        if name == "https":
            raise refuse("https:// (TLS to the proxy itself) is not supported by Python's "
                         "urllib; most proxies take plain http:// and still tunnel TLS "
                         "to sipgate")
        if name.startswith("socks"):
            raise refuse("SOCKS proxies are not supported by Python's standard library")
        if name != "http":
            raise refuse("unknown scheme '%s:'" % name)
        rest = after[2:]
    authority, slash, path = rest.partition("/")
    if path:
        raise refuse("it has a path after the host and port")
    userinfo, at, hostport = authority.rpartition("@")
    if "?" in hostport or "#" in hostport:
        raise refuse("it has a query or fragment after the host and port")
    user = password = None
    if at:
        user, _, password = userinfo.partition(":")
        user, password = unquote(user), unquote(password)
        if user is None or password is None:
            raise refuse("the user or password holds a %-escape that is broken or not "
                         "UTF-8")
        if not user:
            raise refuse("the user name is empty")
        try:
            basic_auth_header(user, password)
        except ValueError as error:
            raise refuse("its user name (written with %%3A?): %s" % error)
    host, port = split_authority(hostport)
    if host is None:
        raise refuse(port)  # split_authority says what is wrong
    return Proxy(host, DEFAULT_PORTS["http"] if port is None else port, user, password,
                 variable)


def unquote(text):
    """A URL's user or password %-decoded as UTF-8, as curl and urllib do; None if broken."""
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        return None
    try:
        return re.sub(r"(%[0-9A-Fa-f]{2})+", lambda m: bytes.fromhex(
            m.group().replace("%", "")).decode("utf-8"), text)
    except UnicodeDecodeError:
        return None


def no_proxy_entry(authority, value):
    """The entry of a NO_PROXY `value` that sends requests for `authority` direct, or None.

    As urllib's proxy_bypass_environment matches: `*` alone matches every
    host; otherwise an entry, less leading dots and in any case, matches
    the host or the host:port as the URL writes them (an IPv6 address in
    brackets), or any name that ends in a dot and the entry.
    """
    if value == "*":
        return "*"
    authority = authority.lower()
    host = authority.rpartition(":")[0] if re.search(r":[0-9]*\Z", authority) else authority
    for entry in value.split(","):
        name = entry.strip().lstrip(".").lower()  # "." alone: any name ending in a dot
        if entry.strip() and any(n == name or n.endswith("." + name) for n in (host, authority)):
            return entry.strip()
    return None
