"""Configuration: the base URL, the credentials and the route, and where each came from.

Owns: the three sources and their order (command-line flags, then the
process environment, then a `.env` file), and every check that must pass
before anything is sent. Leaves the `.env` grammar to `envfile`, the URL
grammar to `urls`, the proxy to `proxy`, building the Authorization
header to `auth`, and sending to `client`.

An empty value counts as unset, so `SIPGATE_TOKEN=` in the environment
does not hide the token in `.env`.
"""

import os
import re

from . import auth
from .errors import ConfigError
from .guards.proxy import choose_route
from .guards.urls import DEFAULT_PORTS, hostport, is_loopback, split_base_url

DEFAULT_BASE_URL = "https://api.sipgate.com/v2"
DEFAULT_ENV_FILE = ".env"

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

# What sipgate's Personal Access Tokens look like today (sipgate's own
# Node.js library checks the same). Only a hint after a 401, never a
# refusal: sipgate may change its formats.
# (Patterns, compiled by `re` on first use: most runs never need them.)
TOKEN_ID_FORMAT = r"token-[A-Za-z0-9]{6}\Z"
TOKEN_FORMAT = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z"
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+\Z"
# A token pasted where it does not belong, with or without its dashes.
PASTED_TOKEN = r"[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}"
EXAMPLE_TOKEN_ID = "token-FQ1V12"  # sipgate's own example
EXAMPLE_TOKEN = "e68ead46-a7db-46cd-8a1a-44aed1e4e372"


class Config(object):
    """The settings of one run. Its repr masks the secrets."""

    __slots__ = ("base_url", "token_id", "token", "access_token", "sources", "notes",
                 "origin", "route", "unfilled")

    def __init__(self, base_url, token_id=None, token=None, access_token=None,
                 sources=None, notes=(), route=None, unfilled=None):
        self.base_url = base_url
        self.token_id = token_id
        self.token = token
        self.access_token = access_token
        self.sources = sources or {}  # setting -> where it came from, in words
        self.notes = list(notes)      # things --verbose tells, e.g. trimmed white space
        self.origin = None            # scheme://host:port of base_url: where credentials go
        self.route = route            # proxy.Route: direct, or through which proxy
        self.unfilled = unfilled      # with --offline: what is missing, in words

    @property
    def auth_scheme(self):
        return "Bearer" if self.access_token else "Basic"

    def authorization(self):
        """The value of the Authorization header these credentials give."""
        if self.access_token:
            return auth.bearer_auth_header(self.access_token)
        return auth.basic_auth_header(self.token_id, self.token)

    def shown_authorization(self):
        """The same, masked, for printing; where credentials are missing, a marker."""
        if self.access_token:
            return auth.masked_bearer_auth_header(self.access_token)
        # A token ID is shown only if it has a token ID's form: anything else
        # may be a token pasted in its place.
        token_id = self.token_id
        if token_id and not re.match(TOKEN_ID_FORMAT, token_id):
            token_id = auth.mask(token_id)
        if self.unfilled:
            return "Basic <Base64 of %s:%s>" % (
                token_id if self.token_id and self.token_id != PLACEHOLDERS["token_id"]
                else "SIPGATE_TOKEN_ID",
                auth.mask(self.token) if self.token and self.token != PLACEHOLDERS["token"]
                else "SIPGATE_TOKEN")
        return auth.masked_basic_auth_header(token_id, self.token)

    def token_id_is_a_token(self):
        return bool(self.token_id and re.search(PASTED_TOKEN, self.token_id))

    def secrets(self):
        """Every value that must never be printed, longest first."""
        found = [self.token, self.access_token]
        # A token pasted into the token ID or the base URL: hidden there too.
        for value in (self.token_id or "", self.base_url or ""):
            found.extend(re.findall(PASTED_TOKEN, value))
        try:
            found.append(auth.basic_auth_header(self.token_id, self.token)[len("Basic "):])
        except (TypeError, ValueError):
            pass  # no pair, or one that cannot be encoded: no credentials to hide
        if self.route is not None and self.route.proxy is not None:
            found.extend(self.route.proxy.secrets())
        placeholders = PLACEHOLDERS.values()
        return sorted(set(s for s in found if s and s not in placeholders), key=len, reverse=True)

    def hints(self):
        """Why a 401 may have happened, from the credentials' form: never their values."""
        if self.access_token:
            return []
        hints = []
        if self.token_id and not re.match(TOKEN_ID_FORMAT, self.token_id):
            if self.token_id_is_a_token():
                hints.append("%s looks like a token (a UUID), not a token ID, which looks "
                             "like %s." % (self.sources["token_id"], EXAMPLE_TOKEN_ID))
            elif re.match(EMAIL, self.token_id):
                hints.append("%s looks like an e-mail address: a Personal Access Token's ID "
                             "is not your account's e-mail address, but looks like %s."
                             % (self.sources["token_id"], EXAMPLE_TOKEN_ID))
            else:
                hints.append("%s does not look like a token ID, which is token- and six "
                             "letters or digits, such as %s."
                             % (self.sources["token_id"], EXAMPLE_TOKEN_ID))
        if self.token and not re.match(TOKEN_FORMAT, self.token):
            hints.append("%s does not look like a Personal Access Token, which is a UUID "
                         "such as %s." % (self.sources["token"], EXAMPLE_TOKEN))
        return hints

    def __repr__(self):
        return "Config(base_url=%r, token_id=%r, token=%s, access_token=%s, route=%r)" % (
            self.base_url, self.token_id,
            "<hidden>" if self.token else None,
            "<hidden>" if self.access_token else None,
            self.route.proxy if self.route else None)


def load_config(token_id=None, base_url=None, env_file=None, environ=None, offline=False):
    """Merge flags, environment and `.env` into a checked Config.

    `env_file` is the --env-file flag; without it `./.env` is read if it is
    a file. Raises ConfigError, saying what to do, when the result cannot
    be used; then nothing must be sent. With `offline`, credentials that
    are missing or still placeholders are no error: `config.unfilled` says
    what is missing, for --offline to show where they will go.
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
    try:
        check_text(config)
        scheme, host, port = check_base_url(
            config.base_url, sources.get("base_url", "the default base URL"))
        config.origin = "%s://%s" % (scheme, hostport(host, port))
        config.route = choose_route(scheme, host, port, environ)
        unfilled = check_credentials(config, file_label)
    except ConfigError as error:
        error.secrets = config.secrets()
        raise
    if unfilled and not offline:
        raise ConfigError(unfilled)
    config.unfilled = unfilled
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
    known_keys = [variable for _, variable, _ in SETTINGS] + [
        alias for _, _, aliases in SETTINGS for alias in aliases]
    for binding in read_env_file(path, known_keys):
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


def check_text(config):
    """Every value is text that UTF-8 can carry.

    On POSIX, Python hands over bytes from the environment or the command
    line that it cannot decode as lone surrogates; they cannot be encoded,
    sent or printed. Python 3.6 in a C locale decodes as ASCII: such bytes
    are read again as UTF-8, and only bytes that are not UTF-8 either are
    refused.
    """
    for setting, source in sorted(config.sources.items()):
        value = getattr(config, setting)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            try:
                setattr(config, setting, os.fsencode(value).decode("utf-8"))
            except UnicodeDecodeError:
                raise ConfigError("%s holds bytes that are not UTF-8 text; set it again, "
                                  "as plain text" % source)


def check_base_url(base_url, source):
    """(scheme, host, port) of a usable base URL; clear-text http only to this machine."""
    parts, why = split_base_url(base_url)
    if parts is None:
        # The value is shown only if it looks like a URL: not when it may
        # hold a password (user:password@host), nor when it may be a token
        # pasted into the wrong line.
        shown = " %r" % base_url if "://" in base_url and "@" not in base_url else ""
        raise ConfigError("%s%s is not a usable base URL: %s. Expected https://host/path, "
                          "such as %s" % (source, shown, why, DEFAULT_BASE_URL))
    scheme, host, port, _path = parts
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            "%s uses http:// to %s: the credentials would cross the network in "
            "clear text. Use https://; plain http is allowed only to this machine "
            "(localhost, 127.0.0.0/8, [::1])." % (source, host))
    return scheme, host, port or DEFAULT_PORTS[scheme]


def check_credentials(config, file_label):
    """Exactly one kind of credentials, well formed.

    Raises ConfigError for credentials that can never work; returns, in
    words, what is still missing or a placeholder (None when complete),
    naming every such setting at once.
    """
    has_pair = config.token_id or config.token
    if has_pair and config.access_token:
        pair = ", ".join(config.sources[s] for s in ("token_id", "token") if s in config.sources)
        raise ConfigError(
            "both a token pair (%s) and an OAuth access token (%s) are set. Remove "
            "SIPGATE_ACCESS_TOKEN to use the Personal Access Token with Basic Auth, or "
            "remove the token ID and token to use the access token."
            % (pair, config.sources["access_token"]))
    if config.access_token or (config.token_id and config.token):
        try:
            config.authorization()  # auth.py holds each scheme's rules
        except ValueError as error:
            setting = "access_token" if config.access_token else "token_id"
            hint = "" if config.access_token else (
                ". Check that you did not paste the token ID and the token together")
            raise ConfigError("%s cannot be used: %s%s" % (config.sources[setting], error, hint))
    if config.access_token:
        return None
    if not has_pair:
        return ("no credentials: set SIPGATE_TOKEN_ID and SIPGATE_TOKEN (or "
                "SIPGATE_ACCESS_TOKEN for OAuth) in the environment or in a .env file; "
                "read: %s. Copy .env.example to .env and fill it in, or run `make demo` "
                "to try a local fake sipgate first." % file_label)
    problems = []
    for setting, other in (("token_id", "token"), ("token", "token_id")):
        value = getattr(config, setting)
        if not value:
            problems.append("%s is not set, but %s is" % (VARIABLES[setting],
                                                          config.sources[other]))
        elif value == PLACEHOLDERS[setting]:
            problems.append("%s still holds the placeholder %s from .env.example"
                            % (config.sources[setting], value))
    if not problems:
        return None
    return "%s. Set your own token ID and token, in the environment or in %s" % (
        "; ".join(problems), file_label)
