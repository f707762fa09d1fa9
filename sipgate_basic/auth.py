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
# Any run of this many characters of a longer secret is masked too, so that
# a secret cut short, split in two or broken up still shows nothing.
FRAGMENT = 12
_ASCII_LOWER = dict(zip(range(65, 91), range(97, 123)))  # A-Z -> a-z, lengths kept


class SecretForms(object):
    """What to mask in text: every form the secrets may come back in, ignoring case.

    The forms: as they are; Base64 without its '=' padding and in its
    URL-safe alphabet; %-encoded, as in a URL; escaped as JSON and repr
    escape them; their UTF-8 bytes read as Latin-1, as http.client reads a
    status line; and, for good measure, their Base64 and hex.
    """

    def __init__(self, secrets=()):
        self.wholes, self.fragments = set(), set()
        for secret in secrets:
            if len(secret) < MIN_HIDDEN:
                continue
            raw = secret.encode("utf-8", "surrogatepass")
            forms = {secret, secret.rstrip("="), urllib.parse.quote(secret, safe=""),
                     json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
                     repr(secret)[1:-1], raw.decode("latin-1"), raw.hex(),
                     base64.b64encode(raw).decode("ascii"),
                     base64.urlsafe_b64encode(raw).decode("ascii")}
            forms |= set(form.replace("+", "-").replace("/", "_") for form in forms)
            for form in forms:
                form = form.translate(_ASCII_LOWER)
                if len(form) >= FRAGMENT:
                    self.fragments.update(form[i:i + FRAGMENT]
                                          for i in range(len(form) - FRAGMENT + 1))
                elif len(form) >= MIN_HIDDEN:
                    self.wholes.add(form)

    def hidden(self, text):
        """`text` with every run of it that is (part of) a secret replaced by <hidden>."""
        if not (self.wholes or self.fragments):
            return text
        folded = text.translate(_ASCII_LOWER)
        covered = bytearray(len(text))
        for at in range(len(folded) - FRAGMENT + 1):
            if folded[at:at + FRAGMENT] in self.fragments:
                covered[at:at + FRAGMENT] = b"\1" * FRAGMENT
        for whole in self.wholes:
            at = folded.find(whole)
            while at >= 0:
                covered[at:at + len(whole)] = b"\1" * len(whole)
                at = folded.find(whole, at + 1)
        if not any(covered):
            return text
        pieces, at = [], 0
        while at < len(text):
            end = at
            while end < len(text) and covered[end] == covered[at]:
                end += 1
            pieces.append("<hidden>" if covered[at] else text[at:end])
            at = end
        return "".join(pieces)
