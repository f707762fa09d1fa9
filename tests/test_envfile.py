"""The .env reader, line by line, against python-dotenv's results.

Every expected value in CASES is what python-dotenv 1.2.4's
`dotenv_values(path, interpolate=False)` returns for the same line; they
were checked against it once, and are written out here so the tests need
no package but pytest.
"""

import os

import pytest

from sipgate_basic.envfile import EnvFileError, parse_env_text, read_env_file

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
    assert (binding.key, binding.value, binding.line) == (key, value, 1)


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


# Lines outside our grammar: (text, line number, words the reason holds).
ERRORS = [
    ("KEY", 1, "KEY is not followed by '='"),
    ("A=1\nexport KEY", 2, "KEY is not followed by '='"),
    ("KEY value", 1, "KEY is not followed by '='"),
    ("export #comment", 1, "expected KEY=value"),
    ("=value", 1, "expected KEY=value"),
    ("KEY='unterminated", 1, "single quote that does not close"),
    ('KEY="unterminated', 1, "double quote that does not close"),
    ('A=1\nKEY="multi\nline"', 2, "does not close on this line"),
    ("KEY='a' b", 1, "after the closing quote of KEY"),
    ('KEY="a"b', 1, "after the closing quote of KEY"),
    ("'KEY'=value", 1, "quoted key"),
]


@pytest.mark.parametrize("text,line,reason", ERRORS)
def test_lines_outside_the_grammar_name_file_and_line(text, line, reason):
    with pytest.raises(EnvFileError) as caught:
        parse_env_text(text.encode("utf-8"), "my.env", known_keys=["KEY"])
    assert caught.value.line == line
    assert str(caught.value).startswith("my.env:%d: " % line)
    assert reason in str(caught.value)


def test_an_error_never_echoes_the_value():
    with pytest.raises(EnvFileError) as caught:
        parse_env_text(b"SIPGATE_TOKEN='s3cr3t-v4lue", "x.env", known_keys=["SIPGATE_TOKEN"])
    assert "s3cr3t" not in str(caught.value)
    assert "SIPGATE_TOKEN" in str(caught.value)


SECRET = "e68ead46-a7db-46cd-8a1a-44aed1e4e372"


@pytest.mark.parametrize("line", [
    SECRET,                                  # the token pasted alone
    "SIPGATE_TOKEN:" + SECRET,               # a colon instead of '='
    "SIPGATE_TOKEN " + SECRET,               # a space instead of '='
    SECRET + "='unterminated",               # the token as a key
    SECRET + "='a' b",
    "deadbeef0123abcd",                      # a token that looks like a name
    "'%s'=x" % SECRET,                       # a quoted key
])
def test_a_line_that_fails_is_described_without_its_text(line):
    with pytest.raises(EnvFileError) as caught:
        parse_env_text(("A=1\n" + line).encode(), "x.env",
                       known_keys=["SIPGATE_TOKEN", "SIPGATE_TOKEN_ID"])
    message = str(caught.value)
    assert message.startswith("x.env:2: ")
    for part in (SECRET, "deadbeef"):
        assert part not in message


def test_a_known_key_is_named():
    with pytest.raises(EnvFileError, match="x.env:1: SIPGATE_TOKEN is not followed by '='"):
        parse_env_text(b"SIPGATE_TOKEN\n", "x.env", known_keys=["SIPGATE_TOKEN"])
    with pytest.raises(EnvFileError, match="x.env:1: the key is not followed by '='"):
        parse_env_text(b"OTHER\n", "x.env", known_keys=["SIPGATE_TOKEN"])


def test_size_is_capped(tmp_path):
    from sipgate_basic.envfile import MAX_SIZE
    exact = tmp_path / "exact.env"
    exact.write_bytes(b"A=1\n" + b"#" * (MAX_SIZE - 5) + b"\n")
    assert [b.key for b in read_env_file(str(exact))] == ["A"]
    larger = tmp_path / "larger.env"
    larger.write_bytes(exact.read_bytes() + b"\n")
    with pytest.raises(EnvFileError, match="larger.env: is larger than 256 KiB"):
        read_env_file(str(larger))


def test_not_utf8_names_the_line():
    with pytest.raises(EnvFileError) as caught:
        parse_env_text(b"A=1\nB=caf\xe9\n", "latin1.env")
    assert str(caught.value).startswith("latin1.env:2: is not UTF-8 text")


def test_files_missing_folder_and_unreadable(tmp_path):
    with pytest.raises(EnvFileError, match="no such file"):
        read_env_file(str(tmp_path / "missing.env"))
    with pytest.raises(EnvFileError, match="is a folder"):
        read_env_file(str(tmp_path))
    locked = tmp_path / "locked.env"
    locked.write_text("A=1\n")
    locked.chmod(0)
    try:
        if os.access(str(locked), os.R_OK):
            pytest.skip("running as a user who can read any file")
        with pytest.raises(EnvFileError, match="cannot be read"):
            read_env_file(str(locked))
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
