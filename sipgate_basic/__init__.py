"""sipgate_basic: fetch your sipgate account with a Personal Access Token.

A standard-library-only example of HTTP Basic Auth against the sipgate
REST API. One request flows through these modules, in this order (`cli`
reads the flags first and prints the result last; the heart of the
example is `auth`):

    cli       `python -m sipgate_basic`: flags in, the result out, masked
    config    flags, environment and .env -> a checked Config
      envfile   the .env grammar
      urls      the base URL, checked piece by piece; which hosts are loopback
      proxy     the route: direct, or through which HTTPS proxy
    auth      credentials -> the Authorization header   <- start here
    client    GET {base}/account over HTTPS -> an Answer -> the account
      network   a failure on the way, in words: which hop, and why
    errors    exit codes, and what an HTTP status means

For your own code, import from the module that owns what you need:

    >>> from sipgate_basic.auth import basic_auth_header
    >>> basic_auth_header("token-FQ1V12", "e68ead46-a7db-46cd-8a1a-44aed1e4e372")
    'Basic dG9rZW4tRlExVjEyOmU2OGVhZDQ2LWE3ZGItNDZjZC04YTFhLTQ0YWVkMWU0ZTM3Mg=='

    from sipgate_basic.config import load_config
    from sipgate_basic.client import fetch_account
    account = fetch_account(load_config())  # raises errors.SipgateError subclasses

This file imports nothing: `python -m sipgate_basic` runs it before
__main__ can catch Ctrl-C, and the command line loads only what it uses.
"""

__version__ = "1.1.0"
