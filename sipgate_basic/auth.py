"""The Authorization header: the heart of this example.

Owns: turning credentials into the value of an `Authorization` header, for
HTTP Basic Auth (RFC 7617) and for OAuth Bearer tokens (RFC 6750), and the
masked form of that value that is safe to print. No I/O: strings in,
strings out. Leaves to `config` where the credentials come from and to
`client` putting the header on a request.

Neither scheme encrypts anything. Base64 is an encoding, not a secret:
anyone who sees the header can decode the token. Send it over HTTPS only.
"""

import base64
import json
import re
import urllib.parse

# RFC 6750 section 2.1: a Bearer token is a "b64token", plain ASCII letters,
# digits and -._~+/ with optional trailing "=".
BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*\Z")


def basic_auth_header(token_id, token):
    """Return the Authorization value for HTTP Basic Auth (RFC 7617).

    >>> basic_auth_header("Aladdin", "open sesame")
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='

    sipgate takes the token ID as the user-id and the token as the password.
    """
    # RFC 7617 section 2: user-id and password are joined by one colon, so
    # the user-id itself cannot hold a colon: the server would split there.
    if ":" in token_id:
        raise ValueError("Basic Auth's user-id cannot hold ':': user-id and password are "
                         "joined with one, and the server splits at the first "
                         "(RFC 7617, section 2)")
    user_pass = token_id + ":" + token
    # Section 2.1: the charset is UTF-8, so a token with non-ASCII
    # characters means the same bytes to client and server.
    user_pass_bytes = user_pass.encode("utf-8")
    # A header must be plain ASCII; Base64 turns any bytes into ASCII.
    credentials = base64.b64encode(user_pass_bytes).decode("ascii")
    return "Basic " + credentials


def bearer_auth_header(access_token):
    """Return the Authorization value for an OAuth access token (RFC 6750).

    The token is sent as it is: it already is ASCII, and it is not encoded.
    """
    if not BEARER_TOKEN.match(access_token):
        raise ValueError("an access token holds only letters, digits and -._~+/, with "
                         "optional trailing '=' (RFC 6750, section 2.1)")
    return "Bearer " + access_token


def mask(secret):
    """A form of `secret` safe to print: its last four characters at most.

    A short secret shows nothing, since four characters would be much of it.
    """
    if len(secret) >= 16:
        return "..." + secret[-4:]
    return "..."


def masked_basic_auth_header(token_id, token):
    """What to print instead of basic_auth_header(token_id, token)."""
    return "Basic <hidden: Base64 of %s:%s>" % (token_id, mask(token))


def masked_bearer_auth_header(access_token):
    """What to print instead of bearer_auth_header(access_token)."""
    return "Bearer <hidden: %s>" % mask(access_token)


# A secret shorter than this is not searched for in text: masking "127" or
# "e" in every word would garble the output and, by the gaps, tell the
# secret. (sipgate's tokens are 36 characters, their Base64 longer.)
MIN_HIDDEN = 8


def secret_forms(secrets):
    """Every form in which these secrets may come back in a server's text, longest first.

    As they are; Base64 without its '=' padding; %-encoded, as in a URL;
    escaped as JSON or repr escape them; and their UTF-8 bytes read as
    Latin-1, as http.client reads a status line or header.
    """
    forms = set()
    for secret in secrets:
        if len(secret) < MIN_HIDDEN:
            continue
        forms.update((secret, secret.rstrip("="), urllib.parse.quote(secret, safe=""),
                      urllib.parse.quote(secret), json.dumps(secret)[1:-1],
                      json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1],
                      secret.encode("utf-8", "surrogatepass").decode("latin-1")))
    return sorted((form for form in forms if len(form) >= MIN_HIDDEN), key=len, reverse=True)


def hidden(text, forms):
    """`text` with every one of `forms` (from secret_forms) replaced by <hidden>."""
    for form in forms:
        text = text.replace(form, "<hidden>")
    return text
