"""Guard: nothing is sent when the configuration is wrong, and bad input gets words.

Promise (README Security, rows "Nothing sent", "Env file errors" and "No
traceback"): every setting is checked before a connection is opened; a
refusal is a ConfigError (exit 2) that says what to do and never echoes a
value that may be a secret. Also worded here: a `.env` file's problems
(`envfile` states them as facts), an unknown option, the hints after a 401.
"""

import re

from ..auth import basic_auth_header, bearer_auth_header  # their rules, asked, not restated
from ..defaults import (DEFAULT_BASE_URL, EXAMPLE_TOKEN, EXAMPLE_TOKEN_ID, MAX_BASE_URL,
                        MAX_SECRET, PASTED_TOKEN, PLACEHOLDERS, SETTINGS, TOKEN_FORMAT,
                        TOKEN_ID_FORMAT, VARIABLES)
from ..errors import ConfigError, UsageError
from . import masking
from .proxy import NOT_UTF8, choose_route, system_text
from .transport import tls_context
from .urls import DEFAULT_PORTS, hostport, is_loopback, split_base_url

EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+\Z"


def check_config(config, environ, file_label, offline=False):
    """(origin, route, what is missing or None) of a usable `config`; else ConfigError.

    The error's text is masked where it is made: it holds no secret.
    """
    try:
        check_text(config)
        scheme, host, port, authority = check_base_url(
            config.base_url, config.sources.get("base_url", "the default base URL"))
        route = choose_route(scheme, authority, environ)
        missing = check_credentials(config, file_label)
        if missing and not offline:
            raise ConfigError(missing)
        if config.cacert:
            tls_context(config.cacert)  # even for --offline and http://
        return "%s://%s" % (scheme, hostport(host, port)), route, missing
    except ConfigError as error:
        raise masking.hidden_in(error, masking.secrets_of(config))


def check_text(config):
    """Every value is UTF-8 text (one from the environment or a flag read again as
    UTF-8, as 3.6's C locale reads it as ASCII), and no secret is absurdly long."""
    for setting, source in sorted(config.sources.items()):
        if source.startswith("--") or source.endswith(" (environment)"):
            text = system_text(getattr(config, setting))
            if text is None:
                raise ConfigError(NOT_UTF8 % source)
            setattr(config, setting, text)
    if len(config.base_url) > MAX_BASE_URL:
        raise ConfigError("%s is longer than %d characters, which no API base URL is"
                          % (config.sources["base_url"], MAX_BASE_URL))
    for setting in ("token_id", "token", "access_token"):
        if len(getattr(config, setting) or "") > MAX_SECRET:
            raise ConfigError("%s is longer than %d characters, which no token is; check what "
                              "was pasted" % (config.sources[setting], MAX_SECRET))


def check_base_url(base_url, source):
    """(scheme, host, port, authority) of a usable base URL; clear text only to this machine."""
    parts, why = split_base_url(base_url)
    if parts is None:
        # The value is shown only if it looks like a URL: not when it may
        # hold a password (user:password@host), nor when it may be a token
        # pasted into the wrong line.
        shown = " %r" % base_url if "://" in base_url and "@" not in base_url else ""
        raise ConfigError("%s%s is not a usable base URL: %s. Expected https://host/path, "
                          "such as %s" % (source, shown, why, DEFAULT_BASE_URL))
    scheme, host, port, authority = parts
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            "%s uses http:// to %s: the credentials would cross the network in "
            "clear text. Use https://; plain http is allowed only to this machine "
            "(localhost, 127.0.0.0/8, [::1])." % (source, host))
    return scheme, host, port or DEFAULT_PORTS[scheme], authority


def check_credentials(config, file_label):
    """Exactly one kind of credentials, well formed, or ConfigError; returns, in
    words, every setting still missing or a placeholder (None when complete)."""
    has_pair = config.token_id or config.token
    if has_pair and config.access_token:
        pair = ", ".join(config.sources[s] for s in ("token_id", "token") if s in config.sources)
        raise ConfigError(
            "both a token pair (%s) and an OAuth access token (%s) are set. Remove "
            "SIPGATE_ACCESS_TOKEN to use the Personal Access Token with Basic Auth, or "
            "remove the token ID and token to use the access token."
            % (pair, config.sources["access_token"]))
    try:
        if config.access_token:
            bearer_auth_header(config.access_token)
            return None
        if config.token_id and config.token:
            basic_auth_header(config.token_id, config.token)
    except ValueError as error:
        setting = "access_token" if config.access_token else "token_id"
        hint = "" if config.access_token else (
            ". Check that you did not paste the token ID and the token together")
        raise ConfigError("%s cannot be used: %s%s" % (config.sources[setting], error, hint))
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


def hints(config):
    """Why a 401 may have happened, from the credentials' form: never their values."""
    if config.access_token:
        return []
    found = []
    if config.token_id and not re.match(TOKEN_ID_FORMAT, config.token_id):
        source = config.sources["token_id"]
        if re.search(PASTED_TOKEN, config.token_id):
            found.append("%s looks like a token (a UUID), not a token ID, which looks like "
                         "%s." % (source, EXAMPLE_TOKEN_ID))
        elif re.match(EMAIL, config.token_id):
            found.append("%s looks like an e-mail address: a Personal Access Token's ID is "
                         "not your account's e-mail address, but looks like %s."
                         % (source, EXAMPLE_TOKEN_ID))
        else:
            found.append("%s does not look like a token ID, which is token- and six letters "
                         "or digits, such as %s." % (source, EXAMPLE_TOKEN_ID))
    if config.token and not re.match(TOKEN_FORMAT, config.token):
        found.append("%s does not look like a Personal Access Token, which is a UUID such "
                     "as %s." % (config.sources["token"], EXAMPLE_TOKEN))
    return found


# What each problem `envfile` reports means: {key} is the key, if one this
# client reads; %s the detail the binding carries.
ENV_FILE_PROBLEMS = {
    "folder": "is a folder, not a .env file",
    "missing": "no such file",
    "unreadable": "cannot be read (%s)",
    "too large": "is larger than %s KiB, which no .env file of settings is; check the path",
    "not UTF-8": "is not UTF-8 text (byte %s)",
    "quoted key": "a quoted key is not supported here; write KEY=value",
    "no key": "expected KEY=value",
    "no equals": "{key} is not followed by '=': write KEY=value",
    "open quote": "the value of {key} opens a %s quote that does not close on this line",
    "after quote": "unexpected text after the closing quote of {key}",
}
KNOWN_KEYS = set(name for _, variable, aliases in SETTINGS for name in (variable,) + aliases)


def env_file_error(path, binding):
    """The ConfigError for a `.env` problem: FILE:LINE and what is wrong; never the
    line's text, which may be a pasted token; the key only if it is one we read."""
    problem = ENV_FILE_PROBLEMS[binding.error].replace(
        "{key}", binding.key if binding.key in KNOWN_KEYS else "the key")
    if "%s" in problem:
        problem %= binding.value
    return ConfigError("%s: %s" % ("%s:%d" % (path, binding.line) if binding.line else path,
                                   problem))


def unknown_option(arg, known):
    """The UsageError for an unknown option: never echoed, since it may be a pasted
    secret; a near miss (at most two edits away, as git judges) is named instead."""
    flag = arg.partition("=")[0]
    near = sorted((edits(flag, option), option) for option in known
                  if abs(len(flag) - len(option)) <= 2)
    if near and near[0][0] <= 2:
        return UsageError("unknown option; did you mean %s?" % near[0][1])
    return UsageError("unknown option (see --help)")


def edits(a, b):
    """How many insertions, deletions and substitutions turn `a` into `b` (Levenshtein)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]
