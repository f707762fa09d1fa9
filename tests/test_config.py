"""Where settings come from, which wins, and what is refused before sending.

The refusals run the real CLI against a live fake and check that the fake
received nothing: a wrong configuration must never reach the network.
"""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import ROOT, assert_no_secret, clean_environment
from fake_sipgate import DEMO_ACCESS_TOKEN, DEMO_TOKEN, DEMO_TOKEN_ID
from sipgate_basic.auth import basic_auth_header
from sipgate_basic.client import auth_header as authorization
from sipgate_basic.config import load_config
from sipgate_basic.defaults import DEFAULT_BASE_URL
from sipgate_basic.errors import ConfigError

ID, TOKEN = "token-ABC123", "0123456789abcdef-token"


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_and_env_only(in_tmp):
    config = load_config(environ={"SIPGATE_TOKEN_ID": ID, "SIPGATE_TOKEN": TOKEN})
    assert (config.base_url, config.token_id, config.token) == (
        "https://api.sipgate.com/v2", ID, TOKEN)
    assert authorization(config) == basic_auth_header(ID, TOKEN)
    assert config.sources["token"] == "SIPGATE_TOKEN (environment)"


def test_flags_beat_environment_beat_env_file(in_tmp):
    write(in_tmp / ".env", "SIPGATE_TOKEN_ID=from-file\nSIPGATE_TOKEN=file-token\n"
                           "SIPGATE_BASE_URL=https://file.example/v2\n")
    environ = {"SIPGATE_TOKEN_ID": "from-env", "SIPGATE_BASE_URL": "https://env.example/v2"}
    config = load_config(token_id="from-flag", environ=environ)
    assert config.token_id == "from-flag" and config.sources["token_id"] == "--token-id"
    assert config.base_url == "https://env.example/v2"
    assert config.token == "file-token"
    assert config.sources["token"] == "SIPGATE_TOKEN (.env:2)"
    assert load_config(environ={}).token_id == "from-file"


def test_empty_value_counts_as_unset(in_tmp):
    write(in_tmp / ".env", "SIPGATE_TOKEN_ID=%s\nSIPGATE_TOKEN=%s\n" % (ID, TOKEN))
    config = load_config(token_id="", environ={"SIPGATE_TOKEN_ID": "", "SIPGATE_TOKEN": "  "})
    assert (config.token_id, config.token) == (ID, TOKEN)


def test_white_space_around_a_token_is_trimmed_and_noted(in_tmp):
    config = load_config(environ={"SIPGATE_TOKEN_ID": ID, "SIPGATE_TOKEN": " %s\n" % TOKEN})
    assert config.token == TOKEN
    assert config.notes == ["SIPGATE_TOKEN (environment) had white space around it; trimmed"]


def test_node_example_env_file_works_unchanged(in_tmp):
    write(in_tmp / ".env", "baseURL = 'https://api.sipgate.com/v2/'\ntokenId = '%s'\n"
                           "token = '%s'\n" % (ID, TOKEN))
    config = load_config(environ={})
    assert (config.base_url, config.token_id, config.token) == (
        "https://api.sipgate.com/v2/", ID, TOKEN)
    assert config.sources["token_id"] == "tokenId (.env:2)"


def test_python_example_env_file_works_unchanged(in_tmp):
    path = write(in_tmp / "python.env", "TOKEN_ID=%s\nTOKEN=%s\n" % (ID, TOKEN))
    config = load_config(env_file=path, environ={})
    assert (config.token_id, config.token) == (ID, TOKEN)


def test_sipgate_key_wins_over_alias_in_one_file(in_tmp):
    write(in_tmp / ".env", "SIPGATE_TOKEN_ID=%s\ntokenId=other\nTOKEN_ID=other\n"
                           "SIPGATE_TOKEN=%s\nTOKEN=other\n" % (ID, TOKEN))
    config = load_config(environ={})
    assert (config.token_id, config.token) == (ID, TOKEN)


def test_aliases_are_not_read_from_the_process_environment(in_tmp):
    with pytest.raises(ConfigError, match="no credentials"):
        load_config(environ={"TOKEN_ID": ID, "TOKEN": TOKEN, "tokenId": ID, "token": TOKEN})


def test_env_file_folder_is_skipped_but_explicit_folder_is_an_error(in_tmp):
    os.mkdir(str(in_tmp / ".env"))  # e.g. python -m venv .env
    assert load_config(environ={"SIPGATE_TOKEN_ID": ID, "SIPGATE_TOKEN": TOKEN}).token == TOKEN
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(env_file=".env", environ={"SIPGATE_TOKEN_ID": ID, "SIPGATE_TOKEN": TOKEN})


def test_access_token_gives_bearer(in_tmp):
    config = load_config(environ={"SIPGATE_ACCESS_TOKEN": DEMO_ACCESS_TOKEN})
    assert authorization(config) == "Bearer " + DEMO_ACCESS_TOKEN


# --- Refused before anything is sent, end to end -------------------------

def refused(run, fake, *args, **kwargs):
    """Run the CLI; assert exit 2, no traceback, nothing sent; return stderr."""
    env = dict({"SIPGATE_BASE_URL": fake.base_url}, **kwargs.pop("env", {}))
    result = run(*args, env=env, **kwargs)
    assert result.code == 2, result
    assert "Traceback" not in result.output
    assert result.out == ""
    assert fake.requests == [], "something was sent"
    return result.err


def test_no_credentials(run, fake):
    err = refused(run, fake)
    assert "no credentials: set SIPGATE_TOKEN_ID and SIPGATE_TOKEN" in err
    assert "SIPGATE_ACCESS_TOKEN" in err and ".env.example" in err and "make demo" in err


def test_offline_without_credentials_shows_where_they_go(run, fake):
    result = run("--offline", env={"SIPGATE_BASE_URL": fake.base_url})
    assert result.code == 0, result
    assert "Authorization: Basic <Base64 of SIPGATE_TOKEN_ID:SIPGATE_TOKEN>\n" in result.out
    assert result.err.splitlines()[-1].startswith("sipgate_basic: no credentials: set ")
    assert result.err.endswith("The Authorization line shows where the credentials go. "
                               "Nothing was sent.\n")
    assert fake.requests == []


@pytest.mark.promise("nothing-sent")
def test_half_a_pair(run, fake):
    err = refused(run, fake, "--token-id", ID)
    assert "SIPGATE_TOKEN is not set, but --token-id is" in err


@pytest.mark.promise("nothing-sent")
def test_both_kinds_say_where_each_came_from(run, fake, tmp_path):
    write(tmp_path / ".env", "SIPGATE_ACCESS_TOKEN=%s\n" % DEMO_ACCESS_TOKEN)
    err = refused(run, fake, env={"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert ("both a token pair (SIPGATE_TOKEN_ID (environment), SIPGATE_TOKEN (environment)) "
            "and an OAuth access token (SIPGATE_ACCESS_TOKEN (.env:1)) are set") in err
    assert "Remove SIPGATE_ACCESS_TOKEN" in err


@pytest.mark.promise("nothing-sent")
@pytest.mark.parametrize("setting,value", [("SIPGATE_TOKEN_ID", "YOUR_SIPGATE_TOKEN_ID"),
                                           ("SIPGATE_TOKEN", "YOUR_SIPGATE_TOKEN")])
def test_placeholder_from_env_example(run, fake, tmp_path, setting, value):
    with open(os.path.join(os.path.dirname(__file__), "..", ".env.example")) as example:
        text = example.read()
    write(tmp_path / ".env", text)
    other = {"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN}
    del other[setting]
    err = refused(run, fake, env=other)
    assert "%s (.env:" % setting in err
    assert "still holds the placeholder %s from .env.example" % value in err


def test_env_example_copied_names_both_placeholders_in_one_run(run, fake, tmp_path):
    shutil.copy(os.path.join(ROOT, ".env.example"), str(tmp_path / ".env"))
    err = refused(run, fake)
    assert err == (
        "sipgate_basic: SIPGATE_TOKEN_ID (.env:6) still holds the placeholder "
        "YOUR_SIPGATE_TOKEN_ID from .env.example; SIPGATE_TOKEN (.env:9) still holds the "
        "placeholder YOUR_SIPGATE_TOKEN from .env.example. Set your own token ID and token, "
        "in the environment or in .env\n")


def test_token_id_with_colon(run, fake):
    err = refused(run, fake, "--token-id", "token-A:B", env={"SIPGATE_TOKEN": DEMO_TOKEN})
    assert err == ("sipgate_basic: --token-id cannot be used: a Basic Auth user-id cannot "
                   "hold ':' (RFC 7617, section 2). Check that you did not paste the token ID "
                   "and the token together\n")


def test_access_token_with_bad_characters(run, fake):
    err = refused(run, fake, env={"SIPGATE_ACCESS_TOKEN": "not a token"})
    assert err == ("sipgate_basic: SIPGATE_ACCESS_TOKEN (environment) cannot be used: an "
                   "access token holds only letters, digits and -._~+/, with optional "
                   "trailing '=' (RFC 6750, section 2.1)\n")


def test_env_file_parse_error_names_file_and_line(run, fake, tmp_path):
    write(tmp_path / "broken.env", "SIPGATE_TOKEN_ID=%s\nSIPGATE_TOKEN='%s\n"
          % (DEMO_TOKEN_ID, DEMO_TOKEN))
    err = refused(run, fake, "--env-file", "broken.env")
    assert err.startswith("sipgate_basic: broken.env:2: the value of SIPGATE_TOKEN opens "
                          "a single quote that does not close on this line")


@pytest.mark.promise("env-file-errors")
@pytest.mark.parametrize("name,content,reason", [
    ("missing.env", None, "missing.env: no such file"),
    ("folder", "folder", "folder: is a folder"),
    ("latin1.env", b"SIPGATE_TOKEN=caf\xe9", "latin1.env:1: is not UTF-8 text"),
    ("nokey.env", b"SIPGATE_TOKEN\n", "nokey.env:1: SIPGATE_TOKEN is not followed by '='"),
    ("huge.env", "huge", "huge.env: is larger than 256 KiB"),
])
def test_env_file_trouble(run, fake, tmp_path, name, content, reason):
    if content == "folder":
        os.mkdir(str(tmp_path / name))
    elif content == "huge":
        (tmp_path / name).write_bytes(b"A=1\n" * 70000)
    elif content is not None:
        (tmp_path / name).write_bytes(content)
    assert reason in refused(run, fake, "--env-file", name)


@pytest.mark.promise("no-secret-is-printed")
def test_secret_token_is_never_a_flag(run, fake):
    for args in (["--token", DEMO_TOKEN], ["--token=" + DEMO_TOKEN],
                 ["--access-token", DEMO_ACCESS_TOKEN]):
        err = refused(run, fake, *args)
        assert "is not taken on the command line" in err


@pytest.mark.promise("clear-text")
@pytest.mark.parametrize("url,words", [
    ("not a url", "--base-url is not a usable base URL"),
    ("htps://api.sipgate.com/v2", "'htps://api.sipgate.com/v2' is not a usable base URL"),
    ("ftp://api.sipgate.com/v2", "is not a usable base URL"),
    ("https:///v2", "is not a usable base URL"),
    ("https://api.sipgate.com:port/v2", "is not a usable base URL"),
    ("https://user:pw@api.sipgate.com/v2", "--base-url is not a usable base URL"),
    ("http://api.sipgate.com/v2", "uses http:// to api.sipgate.com"),
    ("http://10.0.0.1/v2", "Use https://"),
])
def test_bad_base_url(run, fake, url, words):
    err = refused(run, fake, "--base-url", url,
                  env={"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert words in err
    assert "pw@" not in err


@pytest.mark.parametrize("value", ["600", "600.0", "0.001"])
def test_timeout_up_to_the_bound_is_taken(run, fake, value):
    result = run("--offline", "--timeout", value, env={"SIPGATE_BASE_URL": fake.base_url})
    assert result.code == 0, result


@pytest.mark.promise("timeout")
@pytest.mark.parametrize("value", ["-1", "0", "abc", "nan", "inf", "1e10", "600.5", "²"])
def test_bad_timeout_is_a_usage_error(run, fake, value):
    err = refused(run, fake, "--timeout", value)
    assert err.endswith("sipgate_basic: error: --timeout: must be a number of seconds above 0 "
                        "and at most 600\n")


@pytest.mark.promise("nothing-sent")
@pytest.mark.parametrize("args,words", [
    (["--tokn", DEMO_TOKEN], "unknown option (see --help)"),
    (["--tokn=" + DEMO_TOKEN], "unknown option (see --help)"),
    (["--verbos"], "unknown option; did you mean --verbose?"),
    (["--verbsoe=" + DEMO_TOKEN], "unknown option; did you mean --verbose?"),
    (["--ofline"], "unknown option; did you mean --offline?"),
    (["--base_url", DEMO_TOKEN], "unknown option; did you mean --base-url?"),
    (["--tiemout"], "unknown option; did you mean --timeout?"),
    (["--secretlowercaseletters"], "unknown option (see --help)"),
    ([DEMO_TOKEN], "unexpected argument; this program takes options only"),
    (["--token-id"], "--token-id needs a value"),
    (["--timeout=" + DEMO_TOKEN], "--timeout: must be a number of seconds above 0 and at most 600"),
    (["--%s" % DEMO_TOKEN], "unknown option (see --help)"),
])
def test_usage_errors_never_echo_an_argument(run, fake, args, words):
    err = refused(run, fake, *args)
    assert err.startswith("usage: python -m sipgate_basic ")
    assert err.endswith("sipgate_basic: error: %s\n" % words)
    assert "secretlowercase" not in err and "tokn" not in err


def test_flag_value_forms(run, fake):
    env = {"SIPGATE_TOKEN": DEMO_TOKEN}
    spaced = run("--token-id", DEMO_TOKEN_ID, "--base-url", fake.base_url, "--json", env=env)
    joined = run("--token-id=" + DEMO_TOKEN_ID, "--base-url=" + fake.base_url, "--json", env=env)
    assert spaced.code == joined.code == 0
    assert spaced.out == joined.out


def reachable_by_others(path):
    """True if every folder down to `path` lets other users in, and `path` is readable."""
    path = os.path.realpath(path)
    while True:
        if os.stat(path).st_mode & 0o005 != 0o005:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


@pytest.mark.promise("env-file-errors")
def test_unreadable_env_file(fake):
    """Root reads any file, so as root the client runs as user nobody here."""
    python, as_other_user = sys.executable, {}
    if os.geteuid() == 0:
        candidates = [sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"]
        reachable = [p for p in candidates if os.path.exists(p) and reachable_by_others(p)]
        if not reachable or not reachable_by_others(ROOT):
            pytest.skip("user nobody can reach no interpreter, or not the checkout")
        python = reachable[0]
        as_other_user["preexec_fn"] = lambda: (os.setgid(65534), os.setuid(65534))
    folder = tempfile.mkdtemp()
    try:
        os.chmod(folder, 0o755)
        path = os.path.join(folder, ".env")
        with open(path, "w") as env_file:
            env_file.write("SIPGATE_TOKEN_ID=%s\nSIPGATE_TOKEN=%s\n" % (DEMO_TOKEN_ID, DEMO_TOKEN))
        os.chmod(path, 0)
        completed = subprocess.run(
            [python, "-m", "sipgate_basic"], cwd=folder,
            env=clean_environment(SIPGATE_BASE_URL=fake.base_url),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
            timeout=60, **as_other_user)
    finally:
        shutil.rmtree(folder)
    assert_no_secret(completed.stdout + completed.stderr)
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr == "sipgate_basic: .env: cannot be read (Permission denied)\n"
    assert fake.requests == []


@pytest.mark.promise("nothing-sent")
@pytest.mark.parametrize("setting,source", [
    ("SIPGATE_TOKEN_ID", "SIPGATE_TOKEN_ID (environment)"),
    ("SIPGATE_TOKEN", "SIPGATE_TOKEN (environment)")])
def test_half_a_pair_with_an_access_token_is_refused(run, fake, setting, source):
    err = refused(run, fake, env={setting: DEMO_TOKEN_ID if "ID" in setting else DEMO_TOKEN,
                                  "SIPGATE_ACCESS_TOKEN": DEMO_ACCESS_TOKEN})
    assert ("both a token pair (%s) and an OAuth access token (SIPGATE_ACCESS_TOKEN "
            "(environment)) are set" % source) in err


@pytest.mark.promise("nothing-sent")
@pytest.mark.parametrize("path", ["/v2%", "/v2%4", "/v2%zz", "/v2%4/x", "/%g1"])
def test_a_percent_in_the_path_needs_two_hex_digits(run, fake, path):
    err = refused(run, fake, "--base-url", fake.base_url.replace("/v2", path),
                  env={"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert err.endswith(" is not a usable base URL: the path holds a space, a control "
                        "character, a character outside ASCII or a %% not followed by two hex "
                        "digits. Expected https://host/path, such as %s\n" % DEFAULT_BASE_URL)


def test_a_percent_escape_in_the_path_is_taken(run, fake):
    result = run("--offline", "--base-url", fake.base_url.replace("/v2", "/v2%41%4a"))
    assert result.code == 0, result
    assert result.out.startswith("GET /v2%41%4a/account HTTP/1.1\n")


@pytest.mark.promise("nothing-sent")
@pytest.mark.parametrize("setting", ["SIPGATE_TOKEN_ID", "SIPGATE_TOKEN", "SIPGATE_ACCESS_TOKEN"])
def test_a_secret_over_8192_characters_is_refused(run, fake, setting):
    env = {"SIPGATE_ACCESS_TOKEN": "a" * 8192} if "ACCESS" in setting else {
        "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN}
    env[setting] = "a" * 8192
    taken = run(env=dict(env, SIPGATE_BASE_URL=fake.base_url))
    assert taken.code != 2 and len(fake.requests) == 1, taken  # sent; the fake refuses it
    fake.requests[:] = []
    env[setting] = "a" * 8193
    err = refused(run, fake, env=env)
    assert err == ("sipgate_basic: %s (environment) is longer than 8192 characters, which no "
                   "token is; check what was pasted\n" % setting)


@pytest.mark.promise("nothing-sent")
def test_a_base_url_over_2048_characters_is_refused(run, fake):
    # Each token-like run in a base URL is a secret to mask, so its length
    # bounds the work of every printed line.
    env = {"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN}
    path = "/" + "0123456789abcdef" * 200
    exact = fake.base_url + path[:2048 - len(fake.base_url)]
    taken = run(env=dict(env, SIPGATE_BASE_URL=exact))
    assert taken.code == 4 and len(fake.requests) == 1, taken  # sent: the fake says 404
    fake.requests[:] = []
    err = refused(run, fake, env=dict(env, SIPGATE_BASE_URL=exact + "0"))
    assert err == ("sipgate_basic: SIPGATE_BASE_URL (environment) is longer than 2048 "
                   "characters, which no API base URL is\n")
