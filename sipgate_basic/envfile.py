"""Reading a `.env` file: KEY=value lines, the way python-dotenv reads them.

Owns: the grammar of one line and the decoding of a file into bindings, each
with its line number. Leaves to `config` which keys mean something and which
source wins.

The grammar, one line at a time (lines end in LF, CRLF or CR):

    blank     nothing but white space
    comment   white space, then `#` and anything
    binding   [export ] KEY [ws] = [ws] VALUE [ws] [# comment]
    KEY       anything but `=`, `#` and white space
    VALUE     'single quoted'  escapes: \\'  \\\\
              "double quoted"  escapes: \\"  \\\\  \\'  \\a \\b \\f \\n \\r \\t \\v
              unquoted         trimmed; ` #` and what follows is a comment

Checked against python-dotenv 1.2.4: for every line of this grammar the
value is the one `dotenv_values(path, interpolate=False)` gives, because
people's `.env` files were written for it. The deliberate differences,
where a file of credentials is more likely wrong than meant:

    - no `${VAR}` expansion (as with interpolate=False);
    - a key with no `=` is an error (python-dotenv binds it to None);
    - a quoted value that runs on over several lines is an error;
    - a quoted key (`'KEY'=value`) is an error;
    - `export` followed by only a comment is an error (python-dotenv skips it);
    - a line that python-dotenv cannot parse is an error that stops the
      whole file (python-dotenv warns, skips the line and reads on);
    - a file over 256 KiB, or not UTF-8, is an error.

An error says FILE:LINE and what is wrong, never the text of the line: a
line that fails to parse may well be a pasted token. It names the key only
when the key is one that `config` knows, such as SIPGATE_TOKEN.
"""

import collections
import re

from .errors import ConfigError

# A .env file of settings is a few lines; this bounds what a wrong path
# (/dev/zero, a log file) can make us read.
MAX_SIZE = 256 * 1024

# One compiled pattern per piece of the grammar. "White space" means any
# white space but a line end, as in python-dotenv.
_WS = r"[^\S\r\n]*"
_SPACE = re.compile(_WS)
_EXPORT = re.compile(r"export[^\S\r\n]+")
_KEY = re.compile(r"[^=#\s]+")
_EQUALS = re.compile(r"=(" + _WS + r")")
_SINGLE_QUOTED = re.compile(r"'((?:\\.|[^'\\])*)'")
_DOUBLE_QUOTED = re.compile(r'"((?:\\.|[^"\\])*)"')
_AFTER_VALUE = re.compile(_WS + r"(?:#.*)?$")  # optional comment, then the end
_INLINE_COMMENT = re.compile(r"\s+#.*")  # in an unquoted value
_LINE_END = re.compile(r"\r\n|\r|\n")

# The backslash escapes each kind of quote decodes; any other backslash stays.
_ESCAPES = {"'": re.compile(r"\\[\\']"), '"': re.compile(r"\\[\\'\"abfnrtv]")}
_QUOTED = {"'": _SINGLE_QUOTED, '"': _DOUBLE_QUOTED}
_ESCAPED = {
    "\\\\": "\\", "\\'": "'", '\\"': '"', "\\a": "\a", "\\b": "\b",
    "\\f": "\f", "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\v": "\v",
}

# A binding keeps its line number, so that a later check can say where a
# value came from ("./.env:3").
Binding = collections.namedtuple("Binding", "key value line")


class EnvFileError(ConfigError):
    """A `.env` file that cannot be read or parsed: says FILE:LINE and why.

    The message never holds the text of the line: it may carry a secret.
    """

    def __init__(self, path, line, reason):
        where = "%s:%d" % (path, line) if line else str(path)
        ConfigError.__init__(self, "%s: %s" % (where, reason))
        self.path = path
        self.line = line
        self.reason = reason


def read_env_file(path, known_keys=()):
    """Return the bindings of the `.env` file at `path`, in file order.

    Raises EnvFileError when the file cannot be read, is too large, is not
    UTF-8 text, or holds a line outside the grammar. Errors name a key only
    if it is in `known_keys`.
    """
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_SIZE + 1)  # never more, whatever the file is
    except IsADirectoryError:
        raise EnvFileError(path, 0, "is a folder, not a .env file")
    except FileNotFoundError:
        raise EnvFileError(path, 0, "no such file")
    except OSError as error:
        raise EnvFileError(path, 0, "cannot be read (%s)" % (error.strerror or "error"))
    if len(data) > MAX_SIZE:
        raise EnvFileError(path, 0, "is larger than %d KiB, which no .env file of settings "
                                    "is; check the path" % (MAX_SIZE // 1024))
    return parse_env_text(data, path, known_keys)


def parse_env_text(data, path="<.env>", known_keys=()):
    """Parse the bytes of a `.env` file into a list of Binding."""
    try:
        # utf-8-sig drops a byte-order mark that some Windows editors write.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = len(_LINE_END.split(data[:error.start].decode("utf-8", "replace")))
        raise EnvFileError(path, line, "is not UTF-8 text (byte %d)" % error.start)
    bindings = []
    for number, line in enumerate(_LINE_END.split(text), start=1):
        try:
            binding = parse_line(line, number)
        except LineError as error:
            raise EnvFileError(path, number, error.describe(known_keys))
        if binding is not None:
            bindings.append(binding)
    return bindings


class LineError(Exception):
    """A line outside the grammar: what is wrong, and the key if one was read."""

    def __init__(self, problem, key=None):
        Exception.__init__(self, problem)
        self.problem = problem
        self.key = key

    def describe(self, known_keys):
        """The problem, with the key named only if it is a known one."""
        key = self.key if self.key in known_keys else "the key"
        return self.problem.replace("{key}", key)


def parse_line(line, number):
    """One line: a Binding, or None for a blank or comment line. Raises LineError."""
    rest = line.lstrip()
    if not rest or rest.startswith("#"):
        return None
    export = _EXPORT.match(rest)
    if export:
        rest = rest[export.end():]
    key, rest = parse_key(rest)
    rest = parse_equals(key, rest)
    return Binding(key, parse_value(key, rest), number)


def parse_key(rest):
    """(key, the rest of the line after it and any white space)."""
    if rest.startswith("'") or rest.startswith('"'):
        raise LineError("a quoted key is not supported here; write KEY=value")
    key = _KEY.match(rest)
    if not key:
        raise LineError("expected KEY=value")
    return key.group(), rest[_SPACE.match(rest, key.end()).end():]


def parse_equals(key, rest):
    """The rest of the line after `=`; `KEY= # note` gives an empty value."""
    equals = _EQUALS.match(rest)
    if not equals:
        raise LineError("{key} is not followed by '=': write KEY=value", key)
    rest = rest[equals.end():]
    if rest.startswith("#") and equals.group(1):
        return ""  # `KEY= # note`: the value is empty and the rest is a comment
    return rest


def parse_value(key, rest):
    """A quoted value with its escapes decoded, or an unquoted one trimmed."""
    quote = rest[:1]
    if quote in _QUOTED:
        quoted = _QUOTED[quote].match(rest)
        if not quoted:
            raise LineError("the value of {key} opens a %s quote that does not close on "
                            "this line" % ("single" if quote == "'" else "double"), key)
        if not _AFTER_VALUE.match(rest, quoted.end()):
            raise LineError("unexpected text after the closing quote of {key}", key)
        return _ESCAPES[quote].sub(lambda m: _ESCAPED[m.group()], quoted.group(1))
    # Unquoted: the rest of the line, less a ` # comment`, less white space.
    return _INLINE_COMMENT.sub("", rest).rstrip()
