"""Reading a `.env` file: KEY=value lines, the way python-dotenv reads them.

Owns the grammar of a line, and reading a file into bindings with their line
numbers. Like python-dotenv's parser it states facts: a line it cannot read
is a Binding whose `error` names what is wrong; `guards.checks` words it.
README ("Where settings come from") gives the grammar and where it differs
from python-dotenv 1.2.4; tests/test_envfile.py checks it against its values.
"""

import collections
import re

# A .env file of settings is a few lines; this bounds what a wrong path
# (/dev/zero, a log file) can make us read.
MAX_SIZE = 256 * 1024

# One compiled pattern per piece of the grammar. "White space" means any
# white space but a line end, as in python-dotenv. None of them can
# backtrack over a run of blanks: each line is read in linear time.
_WS = r"[^\S\r\n]*"
_SPACE = re.compile(_WS)
_EXPORT = re.compile(r"export[^\S\r\n]+")
_KEY = re.compile(r"[^=#\s]+")
_EQUALS = re.compile(r"=(" + _WS + r")")
_QUOTED = {"'": re.compile(r"'((?:\\.|[^'\\])*)'"), '"': re.compile(r'"((?:\\.|[^"\\])*)"')}
_AFTER_QUOTE = re.compile(_WS + r"(?:#.*)?\Z")  # optional comment, then the end
_COMMENT_START = re.compile(r"\s#")  # in an unquoted value: " #" starts a comment
_LINE_END = re.compile(r"\r\n|\r|\n")

# The backslash escapes each kind of quote decodes; any other backslash stays.
_ESCAPES = {"'": re.compile(r"\\[\\']"), '"': re.compile(r"\\[\\'\"abfnrtv]")}
_ESCAPED = {
    "\\\\": "\\", "\\'": "'", '\\"': '"', "\\a": "\a", "\\b": "\b",
    "\\f": "\f", "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\v": "\v",
}

# One KEY=value; or, with `error` (a key of checks.ENV_FILE_PROBLEMS), what kept
# a line (at line 0: the file) from being one, `value` holding any detail.
Binding = collections.namedtuple("Binding", "key value line error")


def read_env_file(path):
    """The bindings of the `.env` file at `path`, in file order; problems as bindings."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_SIZE + 1)  # never more, whatever the file is
    except IsADirectoryError:
        return [Binding(None, None, 0, "folder")]
    except FileNotFoundError:
        return [Binding(None, None, 0, "missing")]
    except (OSError, ValueError) as error:  # ValueError: a name PyPy cannot encode
        return [Binding(None, getattr(error, "strerror", None) or type(error).__name__, 0,
                        "unreadable")]
    if len(data) > MAX_SIZE:
        return [Binding(None, MAX_SIZE // 1024, 0, "too large")]
    return parse_env_text(data)


def parse_env_text(data):
    """The bytes of a `.env` file as a list of Binding; blank and comment lines left out."""
    try:
        # utf-8-sig drops a byte-order mark that some Windows editors write.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = len(_LINE_END.split(data[:error.start].decode("utf-8", "replace")))
        return [Binding(None, error.start, line, "not UTF-8")]
    bindings = (parse_line(line, number)
                for number, line in enumerate(_LINE_END.split(text), start=1))
    return [binding for binding in bindings if binding is not None]


def parse_line(line, number):
    """One line: a Binding, or None for a blank or comment line."""
    rest = line.lstrip()
    if not rest or rest.startswith("#"):
        return None
    export = _EXPORT.match(rest)
    if export:
        rest = rest[export.end():]
    if rest[:1] in _QUOTED:
        return Binding(None, None, number, "quoted key")
    key = _KEY.match(rest)
    if not key:
        return Binding(None, None, number, "no key")
    rest = rest[_SPACE.match(rest, key.end()).end():]
    equals = _EQUALS.match(rest)
    if not equals:
        return Binding(key.group(), None, number, "no equals")
    rest = rest[equals.end():]
    if rest.startswith("#") and equals.group(1):
        return Binding(key.group(), "", number, None)  # `KEY= # note`: empty
    value, error = parse_value(rest)
    return Binding(key.group(), value, number, error)


def parse_value(rest):
    """(value, None): quoted, its escapes decoded, or unquoted and trimmed; or (detail, error)."""
    quote = rest[:1]
    if quote in _QUOTED:
        quoted = _QUOTED[quote].match(rest)
        if not quoted:
            return ("single" if quote == "'" else "double"), "open quote"
        if not _AFTER_QUOTE.match(rest, quoted.end()):
            return None, "after quote"
        return _ESCAPES[quote].sub(lambda m: _ESCAPED[m.group()], quoted.group(1)), None
    # Unquoted: the rest of the line, less a ` # comment`, less white space.
    comment = _COMMENT_START.search(rest)
    return (rest[:comment.start()] if comment else rest).rstrip(), None
