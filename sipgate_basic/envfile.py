"""Reading a `.env` file: KEY=value lines, the way python-dotenv reads them.

Owns: the grammar of one line and the decoding of a file into bindings, each
with its line number. Leaves to `config` which keys mean something and which
source wins.

The grammar, one line at a time (lines end in LF, CRLF or CR):

    blank     nothing but white space
    comment   white space, then `#` and anything
    binding   [export ] KEY [ws] = [ws] VALUE [ws] [# comment]
    VALUE     'single quoted'  escapes: \\'  \\\\
              "double quoted"  escapes: \\"  \\\\  \\'  \\a \\b \\f \\n \\r \\t \\v
              unquoted         trimmed; ` #` and what follows is a comment

For every line of this grammar the value is the one python-dotenv's
`dotenv_values(path, interpolate=False)` gives, because people's `.env`
files were written for it. No `${VAR}` expansion. Two things python-dotenv
tolerates are errors here, because in a file of credentials they are
more likely a mistake than a wish: a key with no `=`, and a quoted value
that runs on over several lines.
"""

import collections
import re

from .errors import ConfigError

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
_SINGLE_ESCAPES = re.compile(r"\\[\\']")
_DOUBLE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_ESCAPED = {
    "\\\\": "\\", "\\'": "'", '\\"': '"', "\\a": "\a", "\\b": "\b",
    "\\f": "\f", "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\v": "\v",
}

# A binding keeps its line number, so that a later check can say where a
# value came from ("./.env:3").
Binding = collections.namedtuple("Binding", "key value line")


class EnvFileError(ConfigError):
    """A `.env` file that cannot be read or parsed: says FILE:LINE and why.

    The message never holds the value: the line may carry a secret.
    """

    def __init__(self, path, line, reason):
        where = "%s:%d" % (path, line) if line else str(path)
        ConfigError.__init__(self, "%s: %s" % (where, reason))
        self.path = path
        self.line = line
        self.reason = reason


def read_env_file(path):
    """Return the bindings of the `.env` file at `path`, in file order.

    Raises EnvFileError when the file cannot be read, is not UTF-8 text,
    or holds a line outside the grammar.
    """
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except IsADirectoryError:
        raise EnvFileError(path, 0, "is a folder, not a .env file")
    except FileNotFoundError:
        raise EnvFileError(path, 0, "no such file")
    except OSError as error:
        raise EnvFileError(path, 0, "cannot be read (%s)" % (error.strerror or error))
    return parse_env_text(data, path)


def parse_env_text(data, path="<.env>"):
    """Parse the bytes of a `.env` file into a list of Binding."""
    try:
        # utf-8-sig drops a byte-order mark that some Windows editors write.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = len(_LINE_END.split(data[:error.start].decode("utf-8", "replace")))
        raise EnvFileError(path, line, "is not UTF-8 text (byte %d)" % error.start)
    bindings = []
    for number, line in enumerate(_LINE_END.split(text), start=1):
        binding = parse_line(line, number, path)
        if binding is not None:
            bindings.append(binding)
    return bindings


def parse_line(line, number, path="<.env>"):
    """Parse one line: a Binding, or None for a blank or comment line."""

    def fail(reason):
        raise EnvFileError(path, number, reason)

    rest = line.lstrip()
    if not rest or rest.startswith("#"):
        return None
    export = _EXPORT.match(rest)
    if export:
        rest = rest[export.end():]

    if rest.startswith("'"):
        fail("a quoted key is not supported here; write KEY=value")
    key = _KEY.match(rest)
    if not key:
        fail("expected KEY=value")
    name = key.group()
    rest = rest[_SPACE.match(rest, key.end()).end():]

    equals = _EQUALS.match(rest)
    if not equals:
        fail("%s has no '=': write %s=value" % (name, name))
    space_after_equals = equals.group(1)
    rest = rest[equals.end():]

    if rest.startswith("#") and space_after_equals:
        # `KEY= # note`: the value is empty and the rest is a comment.
        return Binding(name, "", number)
    if rest.startswith("'") or rest.startswith('"'):
        quote = rest[0]
        pattern, escapes = ((_SINGLE_QUOTED, _SINGLE_ESCAPES) if quote == "'"
                            else (_DOUBLE_QUOTED, _DOUBLE_ESCAPES))
        quoted = pattern.match(rest)
        if not quoted:
            fail("the value of %s opens a %s quote that does not close on this line"
                 % (name, "single" if quote == "'" else "double"))
        if not _AFTER_VALUE.match(rest, quoted.end()):
            fail("unexpected text after the closing quote of %s" % name)
        value = escapes.sub(lambda m: _ESCAPED[m.group()], quoted.group(1))
        return Binding(name, value, number)
    # Unquoted: the rest of the line, less a ` # comment`, less white space.
    return Binding(name, _INLINE_COMMENT.sub("", rest).rstrip(), number)
