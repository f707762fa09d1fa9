"""Settings: the base URL, the credentials, the route, and where each came from.

Owns the three sources and their order (flags, then the environment, then
a `.env` file) and the `Config` they make; one call into the guards,
`checks.check_config`, checks it before anything is sent. An empty value
counts as unset: `SIPGATE_TOKEN=` in the environment hides nothing in `.env`.
"""

import os

from .defaults import DEFAULT_BASE_URL, DEFAULT_ENV_FILE, SETTINGS
from .guards import checks


class Config(object):
    """The settings of one run. Its repr masks the secrets."""

    __slots__ = ("base_url", "token_id", "token", "access_token", "cacert", "sources",
                 "notes", "origin", "route", "missing_credentials")

    def __init__(self, base_url, token_id=None, token=None, access_token=None, cacert=None,
                 sources=None, notes=()):
        self.base_url = base_url
        self.token_id = token_id
        self.token = token
        self.access_token = access_token
        self.cacert = cacert          # --cacert: trust only the CAs in this file
        self.sources = sources or {}  # setting -> where it came from, in words
        self.notes = list(notes)      # what --verbose tells, such as trimmed white space
        # Learnt by the checks: where credentials may go (scheme://host:port),
        # the guards.proxy.Route, and what is missing (a sentence; --offline only).
        self.origin = self.route = self.missing_credentials = None

    def __repr__(self):
        return "Config(base_url=%r, token_id=%r, token=%s, access_token=%s, proxy=%r)" % (
            self.base_url, self.token_id, "<hidden>" if self.token else None,
            "<hidden>" if self.access_token else None, self.route and self.route.proxy)


def load_config(token_id=None, base_url=None, env_file=None, environ=None, offline=False,
                cacert=None):
    """Merge flags, then environment, then `.env` into a checked Config.

    Raises ConfigError, saying what to do, if it cannot be used.
    """
    environ = os.environ if environ is None else environ
    from_file, file_label = settings_from_env_file(env_file)
    values, sources, notes = {}, {}, []
    flags = {"token_id": (token_id, "--token-id"), "base_url": (base_url, "--base-url")}
    for setting, variable, _aliases in SETTINGS:
        for raw, source in [flags.get(setting, (None, None)),
                            (environ.get(variable), "%s (environment)" % variable),
                            from_file.get(setting, (None, None))]:
            # A pasted token often brings a space or a line end with it;
            # sent as is, it would be a different token.
            value = raw.strip() if raw else raw
            if value:
                if value != raw:
                    notes.append("%s had white space around it; trimmed" % source)
                values[setting], sources[setting] = value, source
                break
    config = Config(values.get("base_url", DEFAULT_BASE_URL), values.get("token_id"),
                    values.get("token"), values.get("access_token"), cacert, sources, notes)
    # Every check, before anything is sent (values read again as UTF-8 in
    # place); ConfigError, or where credentials go, the route, what is missing.
    config.origin, config.route, config.missing_credentials = checks.check_config(
        config, environ, file_label, offline)
    return config


def settings_from_env_file(env_file):
    """The settings a `.env` file holds: ({setting: (value, source)}, label).

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
        if binding.error:
            raise checks.env_file_error(path, binding)
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
