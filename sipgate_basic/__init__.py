"""sipgate_basic: fetch your sipgate account with a Personal Access Token.

A standard-library-only example of HTTP Basic Auth against the sipgate
REST API. One request flows through these modules, in this order:

    config    flags, environment and .env -> a checked Config
    envfile   the .env grammar (used by config)
    auth      credentials -> the Authorization header   <- start here
    client    GET {base}/account over HTTPS -> an Answer
    errors    failures -> a message and an exit code
    cli       `python -m sipgate_basic`: prints the result

For your own code, import from the module that owns what you need:

    >>> from sipgate_basic.auth import basic_auth_header
    >>> basic_auth_header("Aladdin", "open sesame")
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='

    from sipgate_basic.config import load_config
    from sipgate_basic.client import fetch_account
    account = fetch_account(load_config())  # raises errors.SipgateError subclasses

This file imports nothing: `python -m sipgate_basic` runs it before
__main__ can catch Ctrl-C, and the command line loads only what it uses.
"""

__version__ = "1.0.0"
