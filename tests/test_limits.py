"""Bounded work before the first byte is sent, and an account that is an account.

A `.env` file at its 256 KiB cap, of the worst content found (a run of
blanks, an over-long token), is read in linear time; a secret longer than
MAX_SECRET is refused, quickly. A 2xx whose JSON is not an object is no
account. The time bounds are far above what is expected (a few tenths of
a second), and far below what a quadratic pattern takes (minutes).
"""

import time

import pytest

from conftest import DEMO_TOKEN, DEMO_TOKEN_ID

KIB = 1024
BLANKS = 250 * KIB


def timed(run, *args, **kwargs):
    started = time.perf_counter()
    result = run(*args, timeout=30, **kwargs)
    return result, time.perf_counter() - started


@pytest.mark.parametrize("line,code,words", [
    (b"SIPGATE_TOKEN=a" + b" " * BLANKS + b"x", 2, "is longer than 8192 characters"),
    (b"SIPGATE_TOKEN=a" + b"\t" * BLANKS + b"x", 2, "is longer than 8192 characters"),
    (b"SIPGATE_TOKEN=a" + b" " * BLANKS + b"#x", 0, "Authorization: Basic"),
    (b"SIPGATE_TOKEN=a" + b" \t" * (BLANKS // 2) + b"# x", 0, "Authorization: Basic"),
    (b"SIPGATE_TOKEN=" + b" " * BLANKS + b"a", 0, "Authorization: Basic"),
    (b"SIPGATE_TOKEN" + b" " * BLANKS + b"=a", 0, "Authorization: Basic"),
    (b'SIPGATE_TOKEN="a' + b" " * BLANKS, 2, "opens a double quote that does not close"),
    (b"SIPGATE_TOKEN='a" + b" " * BLANKS, 2, "opens a single quote that does not close"),
    (b'SIPGATE_TOKEN="a"' + b" " * BLANKS + b"x", 2, "unexpected text after the closing quote"),
    (b"SIPGATE_TOKEN=" + b"a" * BLANKS, 2, "is longer than 8192 characters"),
], ids=["blanks", "tabs", "blanks then #", "mixed blanks then #", "blanks after =",
        "blanks before =", "open double quote", "open single quote", "after a quote",
        "a 250 KiB token"])
def test_a_env_file_at_its_cap_is_read_in_linear_time(run, tmp_path, line, code, words):
    (tmp_path / ".env").write_bytes(line + b"\n")
    result, seconds = timed(run, "--offline", env={"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID})
    assert result.code == code, result
    assert words in result.output
    assert seconds < 5, "%.1f s for a .env file of %d bytes" % (seconds, len(line))


@pytest.mark.parametrize("setting", ["SIPGATE_TOKEN", "SIPGATE_TOKEN_ID",
                                     "SIPGATE_ACCESS_TOKEN"])
def test_a_secret_longer_than_max_secret_is_refused_quickly(run, tmp_path, setting):
    other = {"SIPGATE_TOKEN": {"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID},
             "SIPGATE_TOKEN_ID": {"SIPGATE_TOKEN": DEMO_TOKEN}}.get(setting, {})
    assert run("--offline", env=dict(other, **{setting: "a" * 8192})).code == 0
    # Linux takes at most 128 KiB in one environment variable.
    result, seconds = timed(run, "--offline", env=dict(other, **{setting: "a" * 127 * KIB}))
    assert result.code == 2, result
    assert result.err == ("sipgate_basic: %s (environment) is longer than 8192 characters, "
                          "which no token is; check what was pasted\n" % setting)
    assert seconds < 3
    (tmp_path / ".env").write_text("%s=%s\n" % (setting, "a" * 254 * KIB))
    result, seconds = timed(run, "--offline", env=other)
    assert result.code == 2, result
    assert result.err == ("sipgate_basic: %s (.env:1) is longer than 8192 characters, which no "
                          "token is; check what was pasted\n" % setting)
    assert seconds < 3


# --- An account is a JSON object ------------------------------------------------

def ok_with(body):
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body


@pytest.mark.parametrize("body,kind", [
    (b"null", "null"), (b"[]", "an array"), (b'[{"balance": 1}]', "an array"),
    (b'"account"', "a string"), (b"42", "a number"), (b"-0.5", "a number"),
    (b"true", "true or false"), (b"false", "true or false"),
])
def test_json_that_is_not_an_object_is_not_an_account(run, raw_server, body, kind):
    result = run(env={"SIPGATE_BASE_URL": raw_server(ok_with(body)),
                      "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == 1, result
    assert result.out == ""
    assert result.err == ("sipgate_basic: HTTP 200, but the JSON is %s, not an account, "
                          "which is a JSON object\n" % kind)


@pytest.mark.parametrize("args,printed", [([], "Status: 200\n{}\n"), (["--json"], "{}\n")])
def test_an_empty_object_is_an_account(run, raw_server, args, printed):
    result = run(*args, env={"SIPGATE_BASE_URL": raw_server(ok_with(b"{}")),
                             "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert result.code == 0, result
    assert result.out == printed and result.err == ""
