"""Guard: no secret is printed, in the forms a secret turns up in by accident.

Promise (README Security, row "No secret is printed"): the secrets are the
token, the access token, the proxy password and each ID:password pair (whose
Base64 is the Basic credentials). Each of at least MIN_HIDDEN characters is
masked, in any ASCII letter case, in these forms: as it is; its Base64,
padded, unpadded and URL-safe; %-encoded; escaped as JSON or repr escape
it; its UTF-8 read as Latin-1. In every line the command line prints, and
in every error `load_config` and `fetch_account` raise (a `.env` error
quotes no value). A shorter secret is
hidden only where we place it (`mask`): masking "127" everywhere would
garble the output and, by the gaps, tell the secret.

Where it stops: any other form (reversed, spaced out, cut into pieces,
UTF-16, hex) is not recognised. A server that holds the credentials can
always send them back in a form no program recognises.
"""

import base64
import json
import re
import urllib.parse

from ..defaults import PASTED_TOKEN, PLACEHOLDERS, TOKEN_ID_FORMAT

MIN_HIDDEN = 8
_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._"
_ASCII_LOWER = dict(zip(range(65, 91), range(97, 123)))  # A-Z -> a-z, lengths kept


def mask(secret):
    """What may be shown of a secret: its last four characters, if it has 16 or more."""
    return "..." + secret[-4:] if len(secret) >= 16 else "..."


def shown_authorization(config):
    """What to print instead of the Authorization value; a marker where credentials are missing."""
    if config.access_token:
        return "Bearer <hidden: %s>" % mask(config.access_token)
    # A token ID is shown only in a token ID's form: anything else may be a
    # token pasted in its place.
    token_id = config.token_id
    if token_id and not re.match(TOKEN_ID_FORMAT, token_id):
        token_id = mask(token_id)
    if not config.missing_credentials:
        return "Basic <hidden: Base64 of %s:%s>" % (token_id, mask(config.token))
    return "Basic <Base64 of %s:%s>" % (
        token_id if config.token_id not in (None, PLACEHOLDERS["token_id"])
        else "SIPGATE_TOKEN_ID",
        mask(config.token) if config.token not in (None, PLACEHOLDERS["token"])
        else "SIPGATE_TOKEN")


def secrets_of(config):
    """Every value of `config` that must never be printed, longest first."""
    found = [config.token, config.access_token]
    # A token pasted into the token ID or the base URL: hidden there too.
    for value in (config.token_id or "", config.base_url or ""):
        found.extend(re.findall(PASTED_TOKEN, value))
    # Each ID:password pair, whose forms include the Basic credentials.
    if config.token_id and config.token:
        found.append(config.token_id + ":" + config.token)
    proxy = config.route and config.route.proxy
    if proxy and proxy.password:
        found += [proxy.password, proxy.user + ":" + proxy.password]
    return sorted(set(found) - set(PLACEHOLDERS.values()) - {None, ""}, key=len, reverse=True)


def forms(secret):
    """The forms in which `secret` turns up by accident (this module's docstring)."""
    raw = secret.encode("utf-8", "surrogatepass")  # any text, even text refused
    padded = base64.b64encode(raw).decode("ascii")
    urlsafe = base64.urlsafe_b64encode(raw).decode("ascii")
    found = {secret, padded, padded.rstrip("="), urlsafe, urlsafe.rstrip("="),
             repr(secret)[1:-1], repr(secret + "'\"")[1:-4], raw.decode("latin-1")}
    for escaped in (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]):
        found.update((escaped, escaped.replace("/", "\\/")))  # PHP's JSON escapes / too
    for safe in ("~", "~/", "", "/"):  # %-encoded, as quote() and quote_plus() may write it
        quoted = "".join(chr(b) if chr(b) in _UNRESERVED + safe else "%%%02X" % b for b in raw)
        found.update((quoted, quoted.replace("%20", "+")))
    return found


class Masker(object):
    """Replaces every form of the secrets in a text with <hidden>."""

    def __init__(self, secrets=()):
        self.forms = set(form.translate(_ASCII_LOWER) for secret in secrets
                         if len(secret) >= MIN_HIDDEN for form in forms(secret))

    def hidden(self, text):
        if not self.forms:
            return text
        folded = text.translate(_ASCII_LOWER)
        covered = bytearray(len(text))
        for form in self.forms:
            at = folded.find(form)
            while at >= 0:
                covered[at:at + len(form)] = b"\1" * len(form)
                at = folded.find(form, at + 1)
        at, shown = 0, []
        for piece in re.split("(\1+)", covered.decode("latin-1")):
            shown.append("<hidden>" if piece[:1] == "\1" else text[at:at + len(piece)])
            at += len(piece)
        return "".join(shown)


def hidden_in(error, secrets):
    """`error`, its text masked and cut from the exception it was raised in (whose text,
    a server's, a traceback would print): an error holds no secret where it is made."""
    error.args = (Masker(secrets).hidden(str(error)),)
    error.__cause__ = error.__context__ = None
    return error


def shown_location(headers, account_url, secrets):
    """Where a redirect points, made absolute if it can be; masked, then cut to 200 characters."""
    location = dict((name.lower(), value) for name, value in headers).get("location")
    if not location:
        return None
    try:
        location = urllib.parse.urljoin(account_url, location)
    except ValueError:
        pass  # shown as it came
    return Masker(secrets).hidden(location)[:200]
