"""sipgate_basic: fetch your sipgate account with a Personal Access Token.

A standard-library-only example of HTTP Basic Auth against the sipgate
REST API. One request flows through these modules, in this order:

    config    flags, environment and .env -> a checked Config
    envfile   the .env grammar (used by config)
    auth      credentials -> the Authorization header   <- start here
    client    GET {base}/account over HTTPS -> an Answer
    errors    failures -> a message and an exit code
    cli       `python -m sipgate_basic`: prints the result

For your own code:

    >>> from sipgate_basic import basic_auth_header
    >>> basic_auth_header("Aladdin", "open sesame")
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='
    >>> config = load_config()        # the same sources as the command line
    >>> account = fetch_account(config)
"""

# Defined before the imports below: client reads it for its User-Agent.
__version__ = "1.0.0"

from .auth import basic_auth_header, bearer_auth_header  # noqa: E402
from .client import fetch_account  # noqa: E402
from .config import Config, load_config  # noqa: E402
from .errors import (  # noqa: E402
    ConfigError, CredentialsRejected, HTTPStatusError, NetworkError, SipgateError,
    UnexpectedAnswer)

__all__ = [
    "basic_auth_header", "bearer_auth_header", "fetch_account", "Config", "load_config",
    "SipgateError", "ConfigError", "CredentialsRejected", "HTTPStatusError",
    "NetworkError", "UnexpectedAnswer",
]
