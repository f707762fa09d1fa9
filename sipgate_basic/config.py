"""Configuration: the base URL and the credentials, and where each came from.

Owns: the three sources and their order (command-line flags, then the
process environment, then a `.env` file), and every check that must pass
before anything is sent. Leaves the `.env` grammar to `envfile`, building
the Authorization header to `auth`, and sending to `client`.

An empty value counts as unset, so `SIPGATE_TOKEN=` in the environment
does not hide the token in `.env`. The secret token is never a flag: a
command line shows in `ps` and in shell history.
"""

import os
import socket
import urllib.parse

from . import auth
from .errors import ConfigError

DEFAULT_BASE_URL = "https://api.sipgate.com/v2"
DEFAULT_ENV_FILE = ".env"
IPV6_LOOPBACK = b"\0" * 15 + b"\1"  # ::1

# Each setting: its environment variable (also its key in a .env file), and
# the keys that .env files written for the official sipgate.io examples use
# for it (Node.js: baseURL, tokenId, token; Python: TOKEN_ID, TOKEN). The
# aliases are read from files only: in a process environment, a name like
# TOKEN often means something else.
SETTINGS = (
    ("base_url", "SIPGATE_BASE_URL", ("baseURL",)),
    ("token_id", "SIPGATE_TOKEN_ID", ("tokenId", "TOKEN_ID")),
    ("token", "SIPGATE_TOKEN", ("token", "TOKEN")),
    ("access_token", "SIPGATE_ACCESS_TOKEN", ()),
)
VARIABLES = dict((setting, variable) for setting, variable, _ in SETTINGS)
FLAGS = {"base_url": "--base-url", "token_id": "--token-id"}

# The values .env.example ships with, as in the official examples.
PLACEHOLDERS = {"token_id": "YOUR_SIPGATE_TOKEN_ID", "token": "YOUR_SIPGATE_TOKEN"}


class Config(object):
    """The settings of one run. Its repr masks the secrets."""

    __slots__ = ("base_url", "token_id", "token", "access_token", "sources", "notes")

    def __init__(self, base_url, token_id=None, token=None, access_token=None,
                 sources=None, notes=()):
        self.base_url = base_url
        self.token_id = token_id
        self.token = token
        self.access_token = access_token
        self.sources = sources or {}  # setting -> where it came from, in words
        self.notes = list(notes)      # things --verbose tells, e.g. trimmed white space

    @property
    def auth_scheme(self):
        return "Bearer" if self.access_token else "Basic"

    def authorization(self):
        """The value of the Authorization header these credentials give."""
        if self.access_token:
            return auth.bearer_auth_header(self.access_token)
        return auth.basic_auth_header(self.token_id, self.token)

    def shown_authorization(self):
        """The same, masked, for printing."""
        if self.access_token:
            return auth.masked_bearer_auth_header(self.access_token)
        return auth.masked_basic_auth_header(self.token_id, self.token)

    def __repr__(self):
        return "Config(base_url=%r, token_id=%r, token=%s, access_token=%s)" % (
            self.base_url, self.token_id,
            "<hidden>" if self.token else None,
            "<hidden>" if self.access_token else None)


def load_config(token_id=None, base_url=None, env_file=None, environ=None):
    """Merge flags, environment and `.env` into a checked Config.

    `env_file` is the --env-file flag; without it `./.env` is read if it is
    a file. Raises ConfigError, saying what to do, when the result cannot
    be used; then nothing must be sent.
    """
    environ = os.environ if environ is None else environ
    flags = {"token_id": token_id, "base_url": base_url}
    from_file, file_label = read_settings_file(env_file)

    values, sources, notes = {}, {}, []
    for setting, variable, _aliases in SETTINGS:
        candidates = [
            (flags.get(setting), FLAGS.get(setting)),
            (environ.get(variable), "%s (environment)" % variable),
            from_file.get(setting, (None, None)),
        ]
        for raw, source in candidates:
            # A pasted token often brings a space or a line end with it;
            # sent as is, it would be a different token.
            value = raw.strip() if raw else raw
            if value:
                if value != raw:
                    notes.append("%s had white space around it; trimmed" % source)
                values[setting], sources[setting] = value, source
                break

    config = Config(values.get("base_url", DEFAULT_BASE_URL), values.get("token_id"),
                    values.get("token"), values.get("access_token"), sources, notes)
    check_credentials(config, file_label)
    check_base_url(config.base_url, sources.get("base_url", "the default base URL"))
    return config


def read_settings_file(env_file):
    """Read the settings a `.env` file holds: ({setting: (value, source)}, label).

    Without --env-file, `./.env` is optional, and a folder of that name (a
    virtual environment, say) is passed over.
    """
    path = env_file or DEFAULT_ENV_FILE
    if not env_file and not os.path.isfile(path):
        return {}, "%s (none found)" % path
    # Imported here, not at the top: its grammar is a dozen regular
    # expressions to compile, and a run with no .env file needs none.
    from .envfile import read_env_file
    canonical, aliased = {}, {}
    for binding in read_env_file(path):
        where = "%s (%s:%d)" % (binding.key, path, binding.line)
        for setting, variable, aliases in SETTINGS:
            if binding.key == variable:
                canonical[setting] = (binding.value, where)
            elif binding.key in aliases:
                aliased[setting] = (binding.value, where)
    # Within one file, a SIPGATE_* key wins over an official example's key.
    settings = dict(aliased)
    for setting, (value, where) in canonical.items():
        if value.strip() or setting not in settings:
            settings[setting] = (value, where)
    return settings, path


def check_credentials(config, file_label):
    """Exactly one kind of credentials, complete and no longer placeholders."""
    has_pair = config.token_id or config.token
    if has_pair and config.access_token:
        pair = ", ".join(config.sources[s] for s in ("token_id", "token") if s in config.sources)
        raise ConfigError(
            "both a token pair (%s) and an OAuth access token (%s) are set. Remove "
            "SIPGATE_ACCESS_TOKEN to use the Personal Access Token with Basic Auth, or "
            "remove the token ID and token to use the access token."
            % (pair, config.sources["access_token"]))
    if not has_pair and not config.access_token:
        raise ConfigError(
            "no credentials: set SIPGATE_TOKEN_ID and SIPGATE_TOKEN (or "
            "SIPGATE_ACCESS_TOKEN for OAuth) in the environment or in a .env file; "
            "read: %s. Copy .env.example to .env and fill it in, or run `make demo` "
            "to try a local fake sipgate first." % file_label)
    for missing, present in (("token", "token_id"), ("token_id", "token")):
        if has_pair and not getattr(config, missing):
            raise ConfigError(
                "%s is not set, but %s is: set both, in the environment or in %s"
                % (VARIABLES[missing], config.sources[present], file_label))
    for setting, placeholder in sorted(PLACEHOLDERS.items()):
        if getattr(config, setting) == placeholder:
            raise ConfigError(
                "%s still holds the placeholder %s from .env.example: replace it with "
                "your own value" % (config.sources[setting], placeholder))
    if config.token_id and ":" in config.token_id:
        raise ConfigError(
            "%s contains ':', which no token ID can hold: Basic Auth joins ID and token "
            "with a colon (RFC 7617). Check that you did not paste ID and token together."
            % config.sources["token_id"])
    if config.access_token and not auth.BEARER_TOKEN.match(config.access_token):
        raise ConfigError(
            "%s holds characters an access token cannot: only letters, digits and "
            "-._~+/ (RFC 6750)" % config.sources["access_token"])


def check_base_url(base_url, source):
    """An http(s) URL with a host; clear-text http only to this machine."""
    try:
        parts = urllib.parse.urlsplit(base_url)
        parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or parts.query or parts.fragment or parts.username is not None):
        # The value is shown unless it may hold a password (user:password@host).
        shown = "" if "@" in base_url else " %r" % base_url
        raise ConfigError(
            "%s%s is not a usable base URL: expected https://host/path, without user, "
            "query or fragment, such as %s" % (source, shown, DEFAULT_BASE_URL))
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            "%s uses http:// to %s: the credentials would cross the network in "
            "clear text. Use https://; plain http is allowed only to this machine "
            "(localhost, 127.0.0.0/8, ::1)." % (source, parts.hostname))


def is_loopback(hostname):
    """True for localhost, 127.0.0.0/8 and ::1: addresses that never leave the machine."""
    if hostname.lower() == "localhost":
        return True
    try:
        return socket.inet_pton(socket.AF_INET6, hostname) == IPV6_LOOPBACK
    except (OSError, ValueError):
        pass
    try:
        return socket.inet_pton(socket.AF_INET, hostname)[0] == 127
    except (OSError, ValueError):
        return False
