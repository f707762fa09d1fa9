"""The Authorization header: the heart of this example.

Owns: turning credentials into the value of an `Authorization` header, for
HTTP Basic Auth (RFC 7617) and for OAuth Bearer tokens (RFC 6750). No I/O:
strings in, a string out. `client` puts the header on the request; where
the credentials come from is `config`'s.

Neither scheme encrypts anything. Base64 is an encoding, not a secret:
anyone who sees the header can decode the token. Send it over HTTPS only.
"""

import base64
import re


def basic_auth_header(token_id, token):
    """Return the Authorization value for HTTP Basic Auth (RFC 7617).

    >>> basic_auth_header("Aladdin", "open sesame")
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='

    sipgate takes the token ID as the user-id and the token as the password.
    """
    # RFC 7617 section 2: user-id and password are joined by one colon, so
    # the user-id itself cannot hold a colon: the server would split there.
    if ":" in token_id:
        raise ValueError("a Basic Auth user-id cannot hold ':' (RFC 7617, section 2)")
    user_pass = token_id + ":" + token
    # Section 2.1: the charset is UTF-8, so a token with non-ASCII
    # characters means the same bytes to client and server.
    user_pass_bytes = user_pass.encode("utf-8")
    # A header must be plain ASCII; Base64 turns any bytes into ASCII.
    credentials = base64.b64encode(user_pass_bytes).decode("ascii")
    return "Basic " + credentials


def bearer_auth_header(access_token):
    """Return the Authorization value for an OAuth access token (RFC 6750).

    >>> bearer_auth_header("mF_9.B5f-4.1JqM")
    'Bearer mF_9.B5f-4.1JqM'

    The token is sent as it is: RFC 6750 section 2.1 allows only ASCII
    letters, digits and -._~+/ with optional trailing '=' (a "b64token"),
    so it needs no encoding.
    """
    if not re.match(r"[A-Za-z0-9\-._~+/]+=*\Z", access_token):
        raise ValueError("an access token holds only letters, digits and -._~+/, with "
                         "optional trailing '=' (RFC 6750, section 2.1)")
    return "Bearer " + access_token
