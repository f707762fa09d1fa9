"""Bytes that are not UTF-8, in any setting: exit 2, named by the setting, never a traceback.

The environment and the arguments are handed over as bytes, in a UTF-8
locale and in a C locale read as ASCII (as Python 3.6 reads it, and newer
ones with PYTHONUTF8=0 PYTHONCOERCECLOCALE=0), where valid UTF-8 arrives
escaped and must still be read as it is.
"""

import os
import subprocess
import sys

import pytest

from conftest import DEMO_TOKEN, DEMO_TOKEN_ID, assert_no_secret, clean_environment

LOCALES = {"UTF-8": {"LC_ALL": "C.UTF-8"},
           "C": {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}}
BAD = b"\xff\xfe"
PROXY = b"http://127.0.0.1:9"


def run_bytes(tmp_path, locale, args=(), **settings):
    """The CLI with `settings` (bytes, or None to unset) in its environment, as bytes."""
    env = dict((os.fsencode(k), os.fsencode(v)) for k, v in clean_environment(
        SIPGATE_TOKEN_ID=DEMO_TOKEN_ID, SIPGATE_TOKEN=DEMO_TOKEN,
        SIPGATE_BASE_URL="https://127.0.0.1:9/v2", **LOCALES[locale]).items())
    for name, value in settings.items():
        env.pop(name.encode(), None)
        if value is not None:
            env[name.encode()] = value
    completed = subprocess.run([os.fsencode(sys.executable), b"-m", b"sipgate_basic"]
                               + list(args), env=env, cwd=str(tmp_path), timeout=60,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = (stream.decode("utf-8", "backslashreplace")
                for stream in (completed.stdout, completed.stderr))
    assert_no_secret(out + err)
    assert "Traceback" not in err
    return completed.returncode, out, err


NOT_UTF8 = "holds bytes that are not UTF-8 text"


@pytest.mark.parametrize("locale", sorted(LOCALES))
@pytest.mark.parametrize("args,settings,named", [
    ((), {"SIPGATE_TOKEN": b"tok" + BAD + b"en-1234"}, "SIPGATE_TOKEN (environment) "),
    ((), {"SIPGATE_TOKEN_ID": b"token-" + BAD}, "SIPGATE_TOKEN_ID (environment) "),
    ((), {"SIPGATE_ACCESS_TOKEN": b"abc" + BAD, "SIPGATE_TOKEN_ID": None, "SIPGATE_TOKEN": None},
     "SIPGATE_ACCESS_TOKEN (environment) "),
    ((), {"SIPGATE_BASE_URL": b"https://api.example/" + BAD}, "SIPGATE_BASE_URL (environment) "),
    ((b"--token-id", b"token-" + BAD), {}, "--token-id "),
    ((b"--base-url=https://api.example/" + BAD,), {}, "--base-url "),
    ((), {"HTTPS_PROXY": b"http://u:p" + BAD + b"@127.0.0.1:9"},
     "HTTPS_PROXY cannot be used as a proxy: it "),
    ((), {"https_proxy": PROXY + BAD}, "https_proxy cannot be used as a proxy: it "),
    ((), {"HTTPS_PROXY": PROXY, "NO_PROXY": b"example.org," + BAD}, "NO_PROXY "),
    ((), {"HTTPS_PROXY": PROXY, "no_proxy": BAD}, "no_proxy "),
])
def test_a_setting_that_is_not_utf8_is_refused_by_name(tmp_path, locale, args, settings, named):
    code, out, err = run_bytes(tmp_path, locale, args, **settings)
    assert code == 2, (out, err)
    assert err.startswith("sipgate_basic: " + named + NOT_UTF8), err
    assert err.count("\n") == 1


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_valid_utf8_is_read_as_it_is_in_any_locale(tmp_path, locale):
    token = "t\u00fcken-123456789\u00fc".encode("utf-8")  # 16 characters: its last four show
    code, out, err = run_bytes(tmp_path, locale, [b"--offline"], SIPGATE_TOKEN=token,
                               HTTPS_PROXY=PROXY, NO_PROXY="\u00fc.example".encode("utf-8"))
    assert code == 0, (out, err)
    shown = "Base64 of %s:...789\u00fc>" % DEMO_TOKEN_ID
    assert shown in out or shown.replace("\u00fc", "\\xfc") in out, out
    # another setting refused first: the valid one is still read, and nothing crashes
    code, out, err = run_bytes(tmp_path, locale, SIPGATE_TOKEN=token,
                               SIPGATE_BASE_URL=b"https://api.example/" + BAD)
    assert code == 2 and err.startswith("sipgate_basic: SIPGATE_BASE_URL (environment) "
                                        + NOT_UTF8), err


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_a_non_ascii_token_in_a_env_file_is_read_in_any_locale(tmp_path, locale):
    # Its values are UTF-8 already: never read again by the locale's codec.
    (tmp_path / ".env").write_bytes(b"SIPGATE_TOKEN=t\xc3\xbcken-123456789\xc3\xbc\n")
    code, out, err = run_bytes(tmp_path, locale, [b"--offline"], SIPGATE_TOKEN=None)
    assert code == 0, (out, err)
    assert "...789\u00fc>" in out or "...789\\xfc>" in out, out
