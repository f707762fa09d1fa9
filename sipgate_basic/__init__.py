"""sipgate_basic: fetch your sipgate account with a Personal Access Token.

A standard-library-only example of HTTP Basic Auth against the sipgate
REST API. The example, in the order one request flows:

    cli       `python -m sipgate_basic`: flags in; a message and an exit code out
    config    flags, then environment, then .env (envfile) -> Config
    auth      credentials -> the Authorization header   <- start here
    client    GET {base}/account: build, send, read -> the account

Beside it, `guards/` keeps the promises (masking, limits, proxies, TLS,
bad input), each reached by one named call; `defaults` and `errors` hold
what both need, and `auth`, pure, is asked by both. README's How It Works reads the example
through, and shows what to import for your own code. This file imports
nothing: it runs before __main__ can catch Ctrl-C.
"""

__version__ = "1.2.0"
