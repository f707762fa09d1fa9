"""`python -m sipgate_basic` end to end against the fake: exit code, message, headers."""

import base64
import json
import re

import pytest

from conftest import demo_credentials
from fake_sipgate import (ACCOUNT, DEMO_ACCESS_TOKEN, DEMO_TOKEN, DEMO_TOKEN_ID, NO_SCOPE_TOKEN,
                          NO_SCOPE_TOKEN_ID)
from sipgate_basic import __version__
from sipgate_basic.errors import EXIT_CODES, STATUS_CAUSES


def expected_headers(fake, authorization):
    """Exactly what urllib sends for our request, in order."""
    return [
        ("Accept-Encoding", "identity"),
        ("Authorization", authorization),
        ("Host", "127.0.0.1:%d" % fake.port),
        ("Accept", "application/json"),
        ("User-Agent", "sipgate_basic/" + __version__),
        ("Connection", "close"),
    ]


# --- The design card's promise: the header encoding and the 401/404/405 handling ------

ACCOUNT_OUTPUT = """Status: 200
{
  "company": "sipgate Demo GmbH",
  "mainProductType": "TEAM",
  "logoUrl": "https://static.sipgate.com/images/logo.png",
  "verified": true,
  "historyLifeTime": "THIRTY_DAYS"
}
"""
WRONG_TOKEN = "3fa85f64-5717-4562-b3fc-000000000000"  # a token's form: no hint after the 401


@pytest.mark.parametrize("base,token_id,token,path,code,out,err", [
    pytest.param("/v2", DEMO_TOKEN_ID, DEMO_TOKEN, "/v2/account", 0, ACCOUNT_OUTPUT, "",
                 id="200-demo-token"),
    pytest.param("/v2", DEMO_TOKEN_ID, WRONG_TOKEN, "/v2/account", 3, "",
                 "sipgate_basic: HTTP 401 Unauthorized: the token ID and/or token are wrong, "
                 "or the credentials are not Base64-encoded\n", id="401-wrong-token"),
    pytest.param("/v2", NO_SCOPE_TOKEN_ID, NO_SCOPE_TOKEN, "/v2/account", 3, "",
                 "sipgate_basic: HTTP 403 Forbidden: the token lacks the scope this endpoint "
                 "needs (account:read for /account)\n", id="403-no-scope-token"),
    pytest.param("", DEMO_TOKEN_ID, DEMO_TOKEN, "/account", 4, "",
                 "sipgate_basic: HTTP 404 Not Found: wrong REST API endpoint "
                 "(check SIPGATE_BASE_URL)\n", id="404-wrong-path"),
    pytest.param("/v2/sessions/sms", DEMO_TOKEN_ID, DEMO_TOKEN, "/v2/sessions/sms/account", 4,
                 "", "sipgate_basic: HTTP 405 Method Not Allowed: wrong request method\n",
                 id="405-post-only-route"),
])
def test_promise_header_encoding_and_401_404_405_handling(run, fake, base, token_id, token,
                                                          path, code, out, err):
    result = run(env={"SIPGATE_BASE_URL": "http://127.0.0.1:%d%s" % (fake.port, base),
                      "SIPGATE_TOKEN_ID": token_id, "SIPGATE_TOKEN": token})
    assert (result.code, result.out, result.err) == (code, out, err)
    (seen,) = fake.requests  # exactly one request
    assert (seen.method, seen.path) == ("GET", path)
    # RFC 7617: "Basic ", then Base64 of the UTF-8 of token ID, colon, token.
    authorization = "Basic " + base64.b64encode(
        ("%s:%s" % (token_id, token)).encode("utf-8")).decode("ascii")
    assert dict(seen.headers)["Authorization"] == authorization
    assert seen.headers == expected_headers(fake, authorization)


# --- The rest ------------------------------------------------------------------------


def test_json_prints_only_the_body(run, fake, demo_env):
    result = run("--json", env=demo_env)
    assert result.code == 0 and result.err == ""
    assert result.out.count("\n") == 1
    assert json.loads(result.out) == ACCOUNT


def test_trailing_slash_on_base_url(run, fake, demo_env):
    demo_env["SIPGATE_BASE_URL"] = fake.base_url + "/"
    assert run(env=demo_env).code == 0
    assert fake.requests[0].path == "/v2/account"


def test_bearer_access_token(run, fake):
    result = run(env={"SIPGATE_BASE_URL": fake.base_url,
                      "SIPGATE_ACCESS_TOKEN": DEMO_ACCESS_TOKEN})
    assert result.code == 0, result
    assert fake.requests[0].headers == expected_headers(fake, "Bearer " + DEMO_ACCESS_TOKEN)


def test_non_ascii_token_goes_out_as_utf8_base64(run, fake):
    result = run(env={"SIPGATE_BASE_URL": fake.base_url, "SIPGATE_TOKEN_ID": "token-Ü",
                      "SIPGATE_TOKEN": "pässwörd-€-0123456789"})
    assert result.code == 3
    value = dict(fake.requests[0].headers)["Authorization"]
    assert base64.b64decode(value[len("Basic "):]) == "token-Ü:pässwörd-€-0123456789".encode()


# (environment change, exit code, the one line on standard error)
# (The wrong token, the token without scope and the wrong endpoint are in the promise above.)
FAILURES = {
    "unknown token ID": ({"SIPGATE_TOKEN_ID": "token-NOPE"}, 3, "HTTP 401 Unauthorized:"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_http_failures(run, fake, demo_env, case):
    change, code, message = FAILURES[case]
    demo_env.update((k, v.format(base=fake.base_url)) for k, v in change.items())
    result = run(env=demo_env)
    assert result.code == code, result
    assert result.out == ""
    assert result.err.startswith("sipgate_basic: " + message)
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert len(fake.requests) == 1


def test_bearer_rejected(run, fake):
    result = run(env={"SIPGATE_BASE_URL": fake.base_url, "SIPGATE_ACCESS_TOKEN": "wrong-token"})
    assert result.code == 3
    assert result.err == ("sipgate_basic: HTTP 401 Unauthorized: the access token is wrong "
                          "or has expired\n")


@pytest.mark.parametrize("status,code,message", [
    (500, 4, "HTTP 500 Internal Server Error: a problem on sipgate's side; try again later"),
    (503, 4, "HTTP 503 Service Unavailable: a problem on sipgate's side; try again later"),
    (429, 4, "HTTP 429 Too Many Requests: the server refused the request"),
])
def test_forced_statuses(run, fake, demo_env, status, code, message):
    fake.mode, fake.status = "status", status
    result = run(env=demo_env)
    assert (result.code, result.out, result.err) == (code, "", "sipgate_basic: %s\n" % message)


def test_not_json_is_an_unexpected_response(run, fake, demo_env):
    fake.mode = "not-json"
    result = run(env=demo_env)
    assert result.code == 1
    assert result.err == ("sipgate_basic: HTTP 200, but the body is not JSON; it begins: "
                          "'<html><body>Maintenance</body></html>'\n")


def test_verbose_shows_exactly_what_was_sent_with_the_secret_masked(run, fake, demo_env):
    demo_env["SIPGATE_TOKEN"] = "  %s\n" % DEMO_TOKEN  # pasted with white space
    result = run("--verbose", env=demo_env)
    assert result.code == 0, result
    lines = result.err.splitlines()
    assert lines[0] == "* SIPGATE_TOKEN (environment) had white space around it; trimmed"
    sent = [line[2:] for line in lines if line.startswith("> ")]
    received = ["%s: %s" % header for header in fake.requests[0].headers]
    shown = "Basic <hidden: Base64 of token-DEMO01:...afa6>"
    assert sent[0] == "GET /v2/account HTTP/1.1"
    assert sent[1:] == [line.replace("Basic " + demo_credentials(), shown) for line in received]
    answer = [line[2:] for line in lines if line.startswith("< ")]
    assert answer[0] == "HTTP/1.1 200 OK"
    assert "Content-Type: application/json" in answer
    # the trimmed token is the one that was sent
    assert dict(fake.requests[0].headers)["Authorization"] == "Basic " + demo_credentials()


def test_verbose_on_failure_shows_the_response_too(run, fake, demo_env):
    demo_env["SIPGATE_TOKEN"] = "wrong"
    result = run("-v", env=demo_env)
    assert result.code == 3
    assert "< HTTP/1.1 401 Unauthorized" in result.err
    assert result.err.rstrip().splitlines()[-1].startswith("sipgate_basic: HTTP 401")


def test_offline_prints_the_request_and_sends_nothing(run, fake, demo_env):
    result = run("--offline", env=demo_env)
    assert result.code == 0
    assert result.err == ("* route: direct: clear-text http:// goes only to this machine, "
                          "never through a proxy\n")
    assert result.out.splitlines() == [
        "GET /v2/account HTTP/1.1",
        "Accept-Encoding: identity",
        "Authorization: Basic <hidden: Base64 of token-DEMO01:...afa6>",
        "Host: 127.0.0.1:%d" % fake.port,
        "Accept: application/json",
        "User-Agent: sipgate_basic/" + __version__,
        "Connection: close",
    ]
    assert fake.requests == []


def test_offline_bearer_is_masked(run, fake):
    result = run("--offline", env={"SIPGATE_ACCESS_TOKEN": DEMO_ACCESS_TOKEN})
    assert "Authorization: Bearer <hidden: .../w==>" in result.out  # its last four only
    assert "Host: api.sipgate.com" in result.out


def test_help_names_variables_and_exit_codes(run):
    result = run("--help")
    assert result.code == 0
    for variable in ("SIPGATE_TOKEN_ID", "SIPGATE_TOKEN", "SIPGATE_ACCESS_TOKEN",
                     "SIPGATE_BASE_URL", "--offline", "--verbose", "--json", "--timeout"):
        assert variable in result.out
    table = re.findall(r"^  (\d+) +(.+)$", result.out, re.M)
    assert [(int(c), m) for c, m in table] == list(EXIT_CODES)
    assert "--token " not in result.out  # the refused flags stay out of help


def test_version(run):
    result = run("--version")
    assert (result.code, result.out) == (0, "sipgate_basic %s\n" % __version__)


def test_non_ascii_response_on_an_ascii_terminal(run, fake, demo_env, monkeypatch):
    import fake_sipgate
    monkeypatch.setitem(fake_sipgate.ACCOUNT, "company", "Müller & Söhne")
    demo_env.update(PYTHONIOENCODING="ascii")
    result = run(env=demo_env)
    assert result.code == 0, result
    assert "M\\xfcller & S\\xf6hne" in result.out


# --- Hints after a 401: the form of the credentials, never their values --------

TOKEN_ID_HINT = ("{source} does not look like a token ID, which is token- and six letters or "
                 "digits, such as token-FQ1V12.")
EMAIL_HINT = ("{source} looks like an e-mail address: a Personal Access Token's ID is not "
              "your account's e-mail address, but looks like token-FQ1V12.")
TOKEN_HINT = ("{source} does not look like a Personal Access Token, which is a UUID such as "
              "e68ead46-a7db-46cd-8a1a-44aed1e4e372.")


@pytest.mark.parametrize("change,hints", [
    ({"SIPGATE_TOKEN": "not-the-demo-token"},
     [TOKEN_HINT.format(source="SIPGATE_TOKEN (environment)")]),
    ({"SIPGATE_TOKEN_ID": "token-NOPE"},
     [TOKEN_ID_HINT.format(source="SIPGATE_TOKEN_ID (environment)")]),
    ({"SIPGATE_TOKEN_ID": "alice@example.com", "SIPGATE_TOKEN": "hunter2-secret"},
     [EMAIL_HINT.format(source="SIPGATE_TOKEN_ID (environment)"),
      TOKEN_HINT.format(source="SIPGATE_TOKEN (environment)")]),
    ({"SIPGATE_TOKEN": "3fa85f64-5717-4562-b3fc-000000000000"}, []),  # right form, wrong token
])
def test_a_401_says_what_a_token_looks_like(run, fake, demo_env, change, hints):
    demo_env.update(change)
    result = run("--verbose", env=demo_env)
    assert result.code == 3, result
    assert len(fake.requests) == 1  # a hint never stops the request
    lines = result.err.splitlines()
    assert lines[-1] == "sipgate_basic: HTTP 401 Unauthorized: " + STATUS_CAUSES[401] + (
        ". " + " ".join(hints) if hints else "")
    # --verbose says the same before sending.
    assert [line[len("* hint: "):] for line in lines if line.startswith("* hint: ")] == hints
    if "SIPGATE_TOKEN" in change:  # the token ID may be shown; the token never
        assert change["SIPGATE_TOKEN"] not in result.output


def test_no_hint_after_a_403(run, fake, demo_env):
    demo_env.update(SIPGATE_TOKEN_ID=NO_SCOPE_TOKEN_ID, SIPGATE_TOKEN=NO_SCOPE_TOKEN)
    result = run(env=demo_env)
    assert result.code == 3 and "look like" not in result.err


def test_token_id_from_env_file_is_named_with_its_line(run, fake, tmp_path):
    (tmp_path / ".env").write_text("SIPGATE_TOKEN_ID=me@example.com\nSIPGATE_TOKEN=%s\n"
                                   % DEMO_TOKEN)
    result = run(env={"SIPGATE_BASE_URL": fake.base_url})
    assert result.code == 3
    assert EMAIL_HINT.format(source="SIPGATE_TOKEN_ID (.env:1)") in result.err
