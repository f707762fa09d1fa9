"""Guard: the base URL is checked piece by piece; clear text only to this machine.

Promise (README Security, row "Clear text"): a base URL is
`scheme://host[:port][/path]`, each piece valid, and the host judged loopback
is the very text the connection uses (for `http://NAME[::1]:8000/`, urlsplit
says `::1`, while http.client connects to the name `NAME[::1]`).
"""

import socket

_DIGITS = "0123456789"
# A host name: ASCII letters, digits, '-' and '_' in dot-separated labels
# (an IPv4 address is one too). A name in another script must be written
# in its ASCII form (xn--...), so that what we check is what is looked up.
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + _DIGITS + "-_")
# A path: RFC 3986's pchar and '/', with %-escapes; no space, no control
# character, nothing outside ASCII.
_PATH_CHARACTERS = _NAME_CHARACTERS | frozenset(".~!$&'()*+,;=:@/%")
_HEX = frozenset(_DIGITS + "abcdefABCDEF")
_IPV6_LOOPBACK = b"\0" * 15 + b"\1"  # ::1
DEFAULT_PORTS = {"http": 80, "https": 443}


def split_base_url(url):
    """(scheme, host, port or None, authority) of an http(s) base URL; or (None, why).

    No user, query or fragment; host and port as `split_authority` takes them.
    """
    scheme, separator, rest = url.partition("://")
    scheme = scheme.lower()
    if not separator or scheme not in ("http", "https"):
        return None, "expected http:// or https://"
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        return None, "a user or password does not belong in it"
    host, port = split_authority(authority)
    if host is None:
        return None, port
    path = slash + path
    if "?" in path or "#" in path:
        return None, "a query or fragment does not belong in it"
    if not is_path(path):
        return None, ("the path holds a space, a control character, a character outside ASCII "
                      "or a % not followed by two hex digits")
    return (scheme, host, port, authority), None


def split_authority(authority):
    """(host, port or None) of `host[:port]`, IPv6 in brackets; or (None, why)."""
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0 or not is_ip(socket.AF_INET6, authority[1:end]):
            return None, "the host in brackets is not an IPv6 address"
        host, after = authority[1:end], authority[end + 1:]
        if after and not after.startswith(":"):
            return None, "there is text after the IPv6 address"
        port = after[1:] if after else None
    else:
        host, colon, port = authority.partition(":")
        port = port if colon else None
        if not host:
            return None, "it has no host"
        if not is_host_name(host):
            if any(ord(c) > 127 for c in host):
                return None, ("the host name is not ASCII: write it in its ASCII "
                              "form (xn--...)")
            return None, "the host is not a host name, an IPv4 address or an [IPv6] address"
    if port is None:
        return host, None
    if not 0 < len(port) <= 5 or port.strip(_DIGITS) or not 0 < int(port) < 65536:
        return None, "the port is not a number from 1 to 65535"
    return host, int(port)


def hostport(host, port):
    """host:port as a URL writes it: an IPv6 address in brackets."""
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def is_host_name(host):
    """Dot-separated labels of ASCII letters, digits, '-' and '_'; a final dot allowed.

    As DNS has them: a label of at most 63 characters, a name of at most 253.
    """
    labels = (host[:-1] if host.endswith(".") else host).split(".")
    return len(host) <= 253 and all(
        0 < len(label) <= 63 and _NAME_CHARACTERS.issuperset(label) for label in labels)


def is_path(path):
    """Only RFC 3986 path characters, and every '%' followed by two hex digits."""
    escapes = path.split("%")[1:]
    return _PATH_CHARACTERS.issuperset(path) and all(
        _HEX.issuperset(escape[:2]) and len(escape) >= 2 for escape in escapes)


def is_loopback(host):
    """True for localhost, 127.0.0.0/8 and ::1: addresses that never leave the machine.

    `host` is the text the connection will use, brackets removed; a name
    that merely contains one of these (`127.0.0.1.nip.io`) is not loopback.
    """
    if host.lower() == "localhost":
        return True
    if is_ip(socket.AF_INET6, host):
        return socket.inet_pton(socket.AF_INET6, host) == _IPV6_LOOPBACK
    return is_ip(socket.AF_INET, host) and host.split(".")[0] == "127"


def is_ip(family, text):
    try:
        socket.inet_pton(family, text)
        return True
    except (OSError, ValueError):
        return False
