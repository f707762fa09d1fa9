"""Guard: every line printed is masked and escaped; output that fails is exit 23.

Promise (README Security, rows "No secret is printed" and "No traceback"):
every line, whoever wrote it, is masked (`masking`) and its characters that
could rewrite the terminal escaped. Standard output closed, full or a broken
pipe is exit 23; standard error failing loses only the message.
"""

import os

from ..errors import WRITE_ERROR
from .masking import Masker


class WriteFailed(Exception):
    """Standard output is closed, full, or a broken pipe."""


class Output(object):
    """Standard output and error, as this program writes them."""

    def __init__(self, stdout, stderr):
        self.stdout, self.stderr = stdout, stderr
        self.masker = Masker()
        self.failed = None  # why standard output could not be written, if it failed
        self.broken = set()  # streams that failed: pointed at /dev/null at the end

    def hide(self, secrets):
        """Mask these from now on, in the forms `masking` names."""
        self.masker = Masker(secrets)

    def shown(self, line):
        """`line`, its secrets masked and what is not printable escaped: control characters
        (line ends, the 8-bit CSI), U+202E and its kind, lone surrogates (not UTF-8)."""
        line = self.masker.hidden(line)
        if line.isprintable():
            return line
        return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in line)

    def out(self, line):
        """One line of data, on standard output."""
        self.write(self.stdout, self.shown(line))

    def error(self, line):
        """One line of diagnostics, on standard error."""
        try:
            self.stdout.flush()  # so that a pipe shows both in the order a terminal does
        except (OSError, ValueError, AttributeError):
            pass  # reported, if it matters, when standard output is next written
        try:
            self.write(self.stderr, self.shown(line))
            self.stderr.flush()  # before Python 3.9, a file's stderr is block-buffered
        except (WriteFailed, OSError, ValueError, AttributeError):
            self.broken.add(self.stderr)

    def write(self, stream, line):
        try:
            try:
                stream.write(line + "\n")
            except UnicodeEncodeError:
                # An ASCII terminal (Python 3.6 in a C locale): "Müller" as "M\xfcller".
                encoding = stream.encoding or "ascii"
                stream.write(line.encode(encoding, "backslashreplace").decode(encoding) + "\n")
        except (OSError, ValueError, AttributeError) as error:
            # ValueError: the stream was closed; AttributeError: it was None,
            # as Python makes it when the program starts with it closed.
            self.broken.add(stream)
            if stream is self.stdout:
                self.failed = self.failed or describe(error)
            raise WriteFailed(describe(error))

    def finish(self, code):
        """Flush; the exit code: `code`, or WRITE_ERROR if standard output failed."""
        if self.stdout is not None and not self.failed:  # None: closed from the start
            try:
                self.stdout.flush()
            except (OSError, ValueError, AttributeError) as error:
                self.broken.add(self.stdout)
                self.failed = describe(error)
        if self.failed:
            self.error("sipgate_basic: cannot write to standard output (%s)" % self.failed)
            code = WRITE_ERROR
        # Broken streams point at /dev/null, so the interpreter's last flush is quiet.
        for stream in self.broken:
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError, AttributeError):
                pass
        return code


def describe(error):
    """Why a write to standard output failed, in words."""
    if isinstance(error, BrokenPipeError):
        return "broken pipe: the reader went away"
    if isinstance(error, OSError):
        return error.strerror or "write error"
    return "it is closed"
