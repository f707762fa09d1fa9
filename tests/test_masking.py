"""The masking promise (guards/masking.py's docstring), edge by edge, end to end.

A server that holds a secret sends it back, bent, where the client shows
server text: a reason phrase, a header under -v, a Location, a body that
is not JSON. Each rule has its own test; each fails when its rule is
taken out of `masking`.
"""

import base64
import json
import random
import urllib.parse

import pytest

from conftest import DEMO_TOKEN_ID
from sipgate_basic.guards import network
from sipgate_basic.guards.masking import Masker

CLOSED_HTTPS = "https://127.0.0.1:9/v2"  # never reached: the proxy answers first
# Non-ASCII, with a quote and a backslash, so that its JSON, repr and
# Latin-1 forms all differ from it; its Base64 (and that of each pair
# holding it) has padding and a + or /.
TOKEN = 'tük"en\\-a??a'
ACCESS_TOKEN = "Ac.c/aaa~a"  # RFC 6750 allows ASCII only


def ascii_swapcase(text):
    return "".join(c.swapcase() if ord(c) < 128 else c for c in text)


def bent(secret):
    """The forms the promise lists, by name; each differs from the ones before it."""
    raw = secret.encode("utf-8")
    padded = base64.b64encode(raw).decode("ascii")
    urlsafe = base64.urlsafe_b64encode(raw).decode("ascii")
    named = [("another letter case", ascii_swapcase(secret)), ("Base64", padded),
             ("Base64 unpadded", padded.rstrip("=")), ("Base64 URL-safe", urlsafe),
             ("Base64 URL-safe unpadded", urlsafe.rstrip("=")),
             # Spelt out, the same on every Python (3.6's quote() writes ~ as %7E).
             ("%-encoded", urllib.parse.quote(raw, safe="~")),
             ("%-encoded, / kept", urllib.parse.quote(raw, safe="~/")),
             ("%-encoded, ~ as %7E", urllib.parse.quote(raw, safe="").replace("~", "%7E")),
             ("%-encoded as a form", urllib.parse.quote_plus(raw, safe="~")),
             ("%-encoded as a form, ~ as %7E",
              urllib.parse.quote_plus(raw, safe="").replace("~", "%7E")),
             ("%-encoded as a form, / kept, ~ as %7E",
              urllib.parse.quote_plus(raw, safe="/").replace("~", "%7E")),
             ("JSON-escaped", json.dumps(secret)[1:-1]),
             ("JSON-escaped, / as \\/", json.dumps(secret)[1:-1].replace("/", "\\/")),
             ("JSON-escaped, non-ASCII kept", json.dumps(secret, ensure_ascii=False)[1:-1]),
             ("repr-escaped", repr(secret)[1:-1]),
             ("repr-escaped beside a double quote", repr(secret + '"').replace("\\'", "'")[1:-2]
              if "'" not in secret else repr(secret + "'\"")[1:-4]), ("UTF-8 read as Latin-1",
                                                    raw.decode("latin-1"))]
    seen, distinct = {secret}, []
    for name, form in named:
        if form not in seen:
            seen.add(form)
            distinct.append((name, form))
    return distinct


def response(status, reason=b"Nope", headers=b"", body=b""):
    return (b"HTTP/1.1 %d %s\r\n%sContent-Length: %d\r\n\r\n"
            % (status, reason, headers, len(body)) + body)


def reason_of(form):
    return form.encode("latin-1")  # http.client reads a reason phrase as Latin-1


def run_against(run, raw_server, server_response, *args, **settings):
    env = dict({"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": TOKEN}, **settings)
    env["SIPGATE_BASE_URL"] = raw_server(server_response)
    result = run(*args, env=env)
    assert "Traceback" not in result.output
    return result


# --- The shortest secret masked -------------------------------------------------

@pytest.mark.promise("no-secret-is-printed")
def test_a_token_of_exactly_min_hidden_characters_is_masked_in_server_text(run, raw_server):
    token = "8chars!x"
    assert len(token) == 8
    body = b"error: " + token.encode()
    result = run_against(run, raw_server, response(200, b"OK", body=body), SIPGATE_TOKEN=token)
    assert result.code == 1, result
    assert "the body is not JSON; it begins: 'error: <hidden>'" in result.err
    assert token not in result.output


def test_a_shorter_token_is_not_searched_for_in_server_text(run, raw_server):
    # Masking seven characters everywhere would garble the output: the
    # server's echo of it is shown as it came.
    token = "7chars!"
    result = run_against(run, raw_server, response(401, token.encode()), SIPGATE_TOKEN=token)
    assert result.code == 3, result
    assert "HTTP 401 %s: " % token in result.err


@pytest.mark.promise("no-secret-is-printed")
def test_a_shorter_token_is_never_shown_where_the_client_places_it(run, raw_server):
    token = "7chars!"
    line = "Authorization: Basic <hidden: Base64 of %s:...>" % DEMO_TOKEN_ID
    offline = run("--offline", env={"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": token})
    assert offline.code == 0 and line + "\n" in offline.out, offline
    verbose = run_against(run, raw_server, response(401, b"Nope"), "-v", SIPGATE_TOKEN=token)
    assert "> " + line + "\n" in verbose.err, verbose
    for result in (offline, verbose):
        assert token not in result.output


@pytest.mark.promise("no-secret-is-printed")
def test_the_unpadded_base64_of_an_eight_character_secret(run, raw_server):
    token = "aaaaa?aa"
    unpadded = base64.b64encode(token.encode()).decode().rstrip("=")
    assert unpadded == "YWFhYWE/YWE"  # of a padded 12; not its URL-safe form
    location = b"Location: /login?c=" + unpadded.encode() + b"\r\n"
    result = run_against(run, raw_server, response(302, b"Found", location), SIPGATE_TOKEN=token)
    assert result.code == 4, result
    assert "the server redirects to http://127.0.0.1:" in result.err
    assert "/login?c=<hidden>. Not followed" in result.err
    assert unpadded not in result.output


# --- Where in a line ------------------------------------------------------------

@pytest.mark.promise("no-secret-is-printed")
def test_a_secret_at_the_very_end_of_a_line(run, raw_server):
    header = b"X-Echo: you sent " + TOKEN.encode("latin-1") + b"\r\n"
    result = run_against(run, raw_server, response(401, b"Nope", header), "-v")
    assert "< X-Echo: you sent <hidden>\n" in result.err, result
    assert TOKEN not in result.output


@pytest.mark.promise("no-secret-is-printed")
def test_the_second_occurrence_on_one_line(run, raw_server):
    header = b"X-Echo: " + TOKEN.encode("latin-1") + b" and " + TOKEN.encode("latin-1") + \
        b" again\r\n"
    result = run_against(run, raw_server, response(401, b"Nope", header), "-v")
    assert "< X-Echo: <hidden> and <hidden> again\n" in result.err, result
    assert TOKEN not in result.output


# --- Each listed form, for each kind of secret ----------------------------------

def cases(kind, secret):
    return [pytest.param(kind, form, id="%s, %s" % (kind, name)) for name, form in bent(secret)]


@pytest.mark.parametrize("kind,form", cases("token", TOKEN) + cases(
    "ID:token pair", DEMO_TOKEN_ID + ":" + TOKEN) + cases("access token", ACCESS_TOKEN))
@pytest.mark.promise("no-secret-is-printed")
def test_each_form_of_a_secret_in_a_reason_phrase(run, raw_server, kind, form):
    settings = {"SIPGATE_ACCESS_TOKEN": ACCESS_TOKEN, "SIPGATE_TOKEN_ID": "",
                "SIPGATE_TOKEN": ""} if kind == "access token" else {}
    result = run_against(run, raw_server, response(401, reason_of(form)), **settings)
    assert result.code == 3, result
    assert result.err.startswith("sipgate_basic: HTTP 401 <hidden>: "), result
    assert form not in result.output


# With a quote, a space, a slash and a tilde: the spellings of its
# %-encoded, JSON- and repr-escaped forms differ.
PROXY_USER, PROXY_PASSWORD = "alice", "p'ss w/rd~ü"


@pytest.mark.parametrize("kind,form", cases("proxy password", PROXY_PASSWORD) + cases(
    "proxy user:password pair", PROXY_USER + ":" + PROXY_PASSWORD))
@pytest.mark.promise("no-secret-is-printed")
def test_each_form_of_the_proxy_password_in_a_407_reason_phrase(run, raw_server, kind, form):
    proxy = raw_server(response(407, reason_of(form))).rsplit("/", 1)[0].replace(
        "http://", "http://%s:%s@" % (PROXY_USER, urllib.parse.quote(PROXY_PASSWORD, safe="")))
    result = run(env={"SIPGATE_BASE_URL": CLOSED_HTTPS, "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                      "SIPGATE_TOKEN": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                      "HTTPS_PROXY": proxy})
    assert result.code == 5, result
    assert "refused the user and password given (HTTP 407 <hidden>)" in result.err
    assert form not in result.output and "Traceback" not in result.output


# --- Units: the masker never fails; the issuer's name is read in every string type ----

def test_masker_hidden_never_raises_for_any_text():
    secrets = [TOKEN, "\udcff\udcfe-lone-surrogates", "\U0001f512-astral-secret", "x" * 9000]
    masker = Masker(secrets)
    chance = random.Random(13)
    texts = ["", "\ud800", "\udfff" * 3, "a\udcff" + TOKEN + "\ud800", "\x00" * 100,
             "".join(chr(c) for c in range(0xD700, 0xE100)), TOKEN * 20000,
             "y" * (4 * 1024 * 1024) + base64.b64encode(TOKEN.encode()).decode()]
    texts += ["".join(chr(chance.randrange(0x110000)) for _ in range(chance.randrange(200)))
              for _ in range(300)]
    for text in texts:
        shown = masker.hidden(text)
        assert isinstance(shown, str)
        assert TOKEN not in shown


def der(tag, *parts):
    """One DER element: tag, length (short or long form), content."""
    content = b"".join(parts)
    size = len(content)
    length = bytes([size]) if size < 128 else bytes([0x82]) + size.to_bytes(2, "big")
    return bytes([tag]) + length + content


CN, O, C = b"\x55\x04\x03", b"\x55\x04\x0a", b"\x55\x04\x06"


def certificate(*names):
    """A certificate cut short after its issuer: all that issuer_name reads."""
    issuer = der(0x30, *(der(0x31, der(0x30, der(0x06, oid), der(tag, value)))
                         for oid, tag, value in names))
    return der(0x30, der(0x30, der(0xA0, der(0x02, b"\x02")), der(0x02, b"\x01"),
                         der(0x30, der(0x06, b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b")), issuer))


@pytest.mark.parametrize("names,expected", [
    ([(C, 0x13, b"DE"), (CN, 0x1E, "Prüf-Proxy €".encode("utf-16-be"))], "Prüf-Proxy €"),
    ([(CN, 0x1C, "Proxy \U0001f512 Ü".encode("utf-32-be"))], "Proxy \U0001f512 Ü"),
    ([(C, 0x13, b"DE"), (O, 0x0C, "Müller GmbH".encode("utf-8"))], "Müller GmbH"),
    ([(O, 0x0C, b"Org"), (CN, 0x0C, b"Name")], "Name"),
], ids=["BMPString", "UniversalString", "no CN: the organisation", "CN before O"])
def test_issuer_name_decodes_each_string_type(names, expected):
    assert network.issuer_name(certificate(*names)) == expected
