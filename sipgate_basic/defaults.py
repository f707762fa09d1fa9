"""The facts the request and its guards share: defaults, limits, names, formats.
A floor under both: it imports nothing, so no import circle closes through it.
"""

DEFAULT_BASE_URL = "https://api.sipgate.com/v2"
DEFAULT_ENV_FILE = ".env"
DEFAULT_TIMEOUT = 10.0  # seconds, for the whole exchange
MAX_TIMEOUT = 600.0     # a wait longer than ten minutes is a mistake, not a wish
# The account response is a few hundred bytes; anything past 1 MiB is not it.
MAX_BODY = 1024 * 1024
# An account nests two or three deep; printing JSON recurses as deep as it nests.
MAX_NESTING = 100
# sipgate's tokens are 36 characters; a header this long no server takes.
MAX_SECRET = 8192
# A base URL this long is no API's; each token-like run in it is a secret to mask.
MAX_BASE_URL = 2048

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

# The values .env.example ships with, as in the official examples.
PLACEHOLDERS = {"token_id": "YOUR_SIPGATE_TOKEN_ID", "token": "YOUR_SIPGATE_TOKEN"}

# What sipgate's Personal Access Tokens look like today (sipgate's own
# Node.js library checks the same): for hints and for what may be shown,
# never a refusal, since sipgate may change its formats.
TOKEN_ID_FORMAT = r"token-[A-Za-z0-9]{6}\Z"
TOKEN_FORMAT = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z"
# A token pasted where it does not belong, with or without its dashes.
PASTED_TOKEN = r"[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}"
EXAMPLE_TOKEN_ID = "token-FQ1V12"  # sipgate's own example
EXAMPLE_TOKEN = "e68ead46-a7db-46cd-8a1a-44aed1e4e372"
