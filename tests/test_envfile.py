"""The .env reader, line by line, against python-dotenv's results.

Every expected value in CASES is what python-dotenv 1.2.4's
`dotenv_values(path, interpolate=False)` returns for the same line; they
were checked against it once, and are written out here so the tests need
no package but pytest.
"""

import os

import pytest

from sipgate_basic.config import settings_from_env_file
from sipgate_basic.envfile import MAX_SIZE, parse_env_text, read_env_file
from sipgate_basic.errors import ConfigError

CASES = [
    # (one line of a .env file, key, value)
    ("KEY=value", "KEY", "value"),
    ("KEY = value", "KEY", "value"),
    ("  KEY=value  ", "KEY", "value"),
    ("\tKEY\t=\tvalue\t", "KEY", "value"),
    ("export KEY=value", "KEY", "value"),
    ("export  KEY=value", "KEY", "value"),
    ("KEY=", "KEY", ""),
    ("KEY=  ", "KEY", ""),
    ("KEY=value # comment", "KEY", "value"),
    ("KEY=value#not-a-comment", "KEY", "value#not-a-comment"),
    ("KEY=#not-a-comment", "KEY", "#not-a-comment"),
    ("KEY= # only a comment", "KEY", ""),
    ("KEY=two words", "KEY", "two words"),
    ("KEY=a=b", "KEY", "a=b"),
    ("KEY=it's", "KEY", "it's"),
    ("KEY=${OTHER}", "KEY", "${OTHER}"),
    ("KEY=back\\slash\\n", "KEY", "back\\slash\\n"),
    ("KEY='single'", "KEY", "single"),
    ("KEY = 'single'", "KEY", "single"),
    ("KEY='  padded  '", "KEY", "  padded  "),
    ("KEY='with # hash'", "KEY", "with # hash"),
    ("KEY='single' # comment", "KEY", "single"),
    ("KEY='single'# comment", "KEY", "single"),
    ("KEY='it\\'s'", "KEY", "it's"),
    ("KEY='back\\\\slash'", "KEY", "back\\slash"),
    ("KEY='no\\nnewline'", "KEY", "no\\nnewline"),
    ("KEY='\"double\" inside'", "KEY", '"double" inside'),
    ("KEY=''", "KEY", ""),
    ('KEY="double"', "KEY", "double"),
    ('KEY="line\\nbreak"', "KEY", "line\nbreak"),
    ('KEY="tab\\there"', "KEY", "tab\there"),
    ('KEY="say \\"hi\\""', "KEY", 'say "hi"'),
    ('KEY="back\\\\slash"', "KEY", "back\\slash"),
    ('KEY="it\\\'s"', "KEY", "it's"),
    ('KEY="\\a\\b\\f\\r\\v"', "KEY", "\a\b\f\r\v"),
    ('KEY="\\q stays"', "KEY", "\\q stays"),
    ('KEY="\\u00e4 stays"', "KEY", "\\u00e4 stays"),
    ('KEY="${NOT_EXPANDED}"', "KEY", "${NOT_EXPANDED}"),
    ('KEY="a # b" # c', "KEY", "a # b"),
    ('KEY=""', "KEY", ""),
    ("KEY=äöü €", "KEY", "äöü €"),
    ("lower.case-key=1", "lower.case-key", "1"),
    ("exportKEY=1", "exportKEY", "1"),
]


@pytest.mark.parametrize("line,key,value", CASES)
def test_line_reads_as_python_dotenv_reads_it(line, key, value):
    (binding,) = parse_env_text(line.encode("utf-8"))
    assert (binding.key, binding.value, binding.line, binding.error) == (key, value, 1, None)


@pytest.mark.parametrize("text", ["", "\n\n", "# comment", "   # indented comment",
                                  "#KEY=commented-out", "  \t  "])
def test_blank_and_comment_lines_bind_nothing(text):
    assert parse_env_text(text.encode("utf-8")) == []


def test_line_numbers_byte_order_mark_and_line_ends():
    data = b"\xef\xbb\xbfA=1\r\n\r\n# c\rB='2'\nC=\"3\"\r\n"
    bindings = parse_env_text(data)
    assert [(b.key, b.value, b.line) for b in bindings] == [
        ("A", "1", 1), ("B", "2", 4), ("C", "3", 5)]


def test_later_duplicate_is_listed_after_the_earlier():
    bindings = parse_env_text(b"A=1\nA=2\n")
    assert [(b.key, b.value) for b in bindings] == [("A", "1"), ("A", "2")]


# Lines outside our grammar: (text, line number, the fact envfile states,
# words the message holds). Messages name SIPGATE_TOKEN, a key we read.
ERRORS = [
    ("SIPGATE_TOKEN", 1, "no equals", "SIPGATE_TOKEN is not followed by '='"),
    ("A=1\nexport SIPGATE_TOKEN", 2, "no equals", "SIPGATE_TOKEN is not followed by '='"),
    ("SIPGATE_TOKEN value", 1, "no equals", "SIPGATE_TOKEN is not followed by '='"),
    ("export #comment", 1, "no key", "expected KEY=value"),
    ("=value", 1, "no key", "expected KEY=value"),
    ("SIPGATE_TOKEN='unterminated", 1, "open quote", "single quote that does not close"),
    ('SIPGATE_TOKEN="unterminated', 1, "open quote", "double quote that does not close"),
    ('A=1\nSIPGATE_TOKEN="multi\nline"', 2, "open quote", "does not close on this line"),
    ("SIPGATE_TOKEN='a' b", 1, "after quote", "after the closing quote of SIPGATE_TOKEN"),
    ('SIPGATE_TOKEN="a"b', 1, "after quote", "after the closing quote of SIPGATE_TOKEN"),
    ("'SIPGATE_TOKEN'=value", 1, "quoted key", "a quoted key is not supported"),
    ('"SIPGATE_TOKEN"=value', 1, "quoted key", "a quoted key is not supported"),
]


def refusal(tmp_path, data, name="my.env"):
    """The message load_config's reader gives for a .env file holding `data`."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        settings_from_env_file(str(path))
    return str(caught.value).replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize("text,line,fact,reason", ERRORS)
def test_lines_outside_the_grammar_are_facts_worded_with_file_and_line(text, line, fact,
                                                                        reason, tmp_path):
    errors = [b for b in parse_env_text(text.encode("utf-8")) if b.error]
    assert (errors[0].line, errors[0].error) == (line, fact)
    message = refusal(tmp_path, text.encode("utf-8"))
    assert message.startswith("my.env:%d: " % line)
    assert reason in message


def test_an_error_never_echoes_the_value(tmp_path):
    message = refusal(tmp_path, b"SIPGATE_TOKEN='s3cr3t-v4lue")
    assert "s3cr3t" not in message
    assert "SIPGATE_TOKEN" in message


SECRET = "e68ead46-a7db-46cd-8a1a-44aed1e4e372"


@pytest.mark.promise("env-file-errors")
@pytest.mark.parametrize("line", [
    SECRET,                                  # the token pasted alone
    "SIPGATE_TOKEN:" + SECRET,               # a colon instead of '='
    "SIPGATE_TOKEN " + SECRET,               # a space instead of '='
    SECRET + "='unterminated",               # the token as a key
    SECRET + "='a' b",
    "deadbeef0123abcd",                      # a token that looks like a name
    "'%s'=x" % SECRET,                       # a quoted key
])
def test_a_line_that_fails_is_described_without_its_text(line, tmp_path):
    message = refusal(tmp_path, ("A=1\n" + line).encode(), "x.env")
    assert message.startswith("x.env:2: ")
    for part in (SECRET, "deadbeef"):
        assert part not in message


def test_a_known_key_is_named(tmp_path):
    assert refusal(tmp_path, b"SIPGATE_TOKEN\n", "x.env") == (
        "x.env:1: SIPGATE_TOKEN is not followed by '=': write KEY=value")
    assert refusal(tmp_path, b"OTHER\n", "x.env") == (
        "x.env:1: the key is not followed by '=': write KEY=value")


@pytest.mark.promise("env-file-errors")
def test_size_is_capped(tmp_path):
    exact = tmp_path / "exact.env"
    exact.write_bytes(b"A=1\n" + b"#" * (MAX_SIZE - 5) + b"\n")
    assert [b.key for b in read_env_file(str(exact))] == ["A"]
    larger = tmp_path / "larger.env"
    larger.write_bytes(exact.read_bytes() + b"\n")
    assert read_env_file(str(larger))[0].error == "too large"
    assert refusal(tmp_path, larger.read_bytes(), "larger.env").startswith(
        "larger.env: is larger than 256 KiB")


def test_not_utf8_names_the_line(tmp_path):
    assert refusal(tmp_path, b"A=1\nB=caf\xe9\n", "latin1.env") == (
        "latin1.env:2: is not UTF-8 text (byte 9)")


def test_files_missing_folder_and_unreadable(tmp_path):
    assert read_env_file(str(tmp_path / "missing.env"))[0].error == "missing"
    assert read_env_file(str(tmp_path))[0].error == "folder"
    locked = tmp_path / "locked.env"
    locked.write_text("A=1\n")
    locked.chmod(0)
    try:
        if os.access(str(locked), os.R_OK):
            pytest.skip("running as a user who can read any file")
        assert read_env_file(str(locked))[0].error == "unreadable"
    finally:
        locked.chmod(0o600)


# The .env.example files of the official sipgate.io examples, as published.
NODE_EXAMPLE = b"""\
baseURL = 'https://api.sipgate.com/v2'
tokenId = 'YOUR_SIPGATE_TOKEN_ID'
token = 'YOUR_SIPGATE_TOKEN'
"""
PYTHON_EXAMPLE = b"""\
TOKEN_ID=YOUR_SIPGATE_TOKEN_ID
TOKEN=YOUR_SIPGATE_TOKEN
"""


def test_official_examples_env_files():
    assert [(b.key, b.value) for b in parse_env_text(NODE_EXAMPLE)] == [
        ("baseURL", "https://api.sipgate.com/v2"), ("tokenId", "YOUR_SIPGATE_TOKEN_ID"),
        ("token", "YOUR_SIPGATE_TOKEN")]
    assert [(b.key, b.value) for b in parse_env_text(PYTHON_EXAMPLE)] == [
        ("TOKEN_ID", "YOUR_SIPGATE_TOKEN_ID"), ("TOKEN", "YOUR_SIPGATE_TOKEN")]


def test_our_env_example_parses():
    with open(os.path.join(os.path.dirname(__file__), "..", ".env.example"), "rb") as f:
        bindings = parse_env_text(f.read())
    assert [(b.key, b.value) for b in bindings] == [
        ("SIPGATE_TOKEN_ID", "YOUR_SIPGATE_TOKEN_ID"), ("SIPGATE_TOKEN", "YOUR_SIPGATE_TOKEN")]
