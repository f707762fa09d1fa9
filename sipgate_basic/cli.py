"""The command line: flags in; one request; a message and an exit code out.

Owns: the flags and --help, what goes to standard output (the account, or
the request with --offline) and to standard error (diagnostics), and the
exit code. Every line goes out through `Output`, which masks the secrets
and escapes control characters, whoever wrote the text: we, a `.env`
file, a server or a proxy. Leaves the sources of settings to `config`,
the request to `client`, and the wording of failures to the module that
found them.
"""

import json
import os
import re
import sys

from . import __version__, auth
from .client import (DEFAULT_TIMEOUT, MAX_TIMEOUT, answer_lines, build_request, read_account,
                     request_lines, send, tls_context, too_deep)
from .config import DEFAULT_BASE_URL, load_config
from .errors import EXIT_CODES, SUCCESS, WRITE_ERROR, SipgateError, UsageError

USAGE = """\
usage: python -m sipgate_basic [--token-id ID] [--base-url URL] [--env-file PATH]
                               [--timeout SECONDS] [--cacert FILE]
                               [--json] [-v] [--offline] [--version] [-h]"""

HELP = USAGE + """

Fetch GET /account from the sipgate REST API with a Personal Access
Token (HTTP Basic Auth) or an OAuth access token (Bearer).

options:
  --token-id ID      the token ID (SIPGATE_TOKEN_ID)
  --base-url URL     the API base URL (SIPGATE_BASE_URL; default
                     %(base)s)
  --env-file PATH    read settings from PATH instead of ./.env
  --timeout SECONDS  give up after this long, whole exchange included
                     (default %(timeout)g, at most %(max)g)
  --cacert FILE      trust the CA certificates in FILE (PEM) instead of
                     the system's
  --json             print only the account as JSON on standard output
  -v, --verbose      show the route, the request and the answer's headers
                     on standard error, secrets masked
  --offline          print the request that would be sent, secrets
                     masked; send nothing; needs no credentials
  --version          print the version and exit
  -h, --help         print this help and exit

environment variables (and keys of a .env file):
  SIPGATE_TOKEN_ID      the token ID, e.g. token-FQ1V12 (or use --token-id)
  SIPGATE_TOKEN         the token; never a flag, so that ps cannot show it
  SIPGATE_ACCESS_TOKEN  an OAuth access token, instead of ID and token
  SIPGATE_BASE_URL      the API base URL (default %(base)s)
  .env files written for the official sipgate.io examples also work:
  baseURL, tokenId, token (Node.js); TOKEN_ID, TOKEN (Python).
  Order: flags, then the environment, then .env. Empty counts as unset.
  HTTPS_PROXY, NO_PROXY      the proxy, as urllib reads them
  SSL_CERT_FILE, SSL_CERT_DIR  trusted CAs, as OpenSSL reads them
                               (--cacert replaces them)

exit codes:
%(codes)s""" % {"base": DEFAULT_BASE_URL, "timeout": DEFAULT_TIMEOUT, "max": MAX_TIMEOUT,
                "codes": "\n".join("  %-4d %s" % code for code in EXIT_CODES)}

# Flags that take a value, and the option each sets.
VALUE_FLAGS = {"--token-id": "token_id", "--base-url": "base_url", "--env-file": "env_file",
               "--timeout": "timeout", "--cacert": "cacert"}
SWITCHES = {"--json": "json", "-v": "verbose", "--verbose": "verbose", "--offline": "offline",
            "-h": "help", "--help": "help", "--version": "version"}
# Secrets have no flag: a command line shows in ps and in shell history.
SECRET_FLAGS = {"--token": "SIPGATE_TOKEN", "--access-token": "SIPGATE_ACCESS_TOKEN"}


def main(argv=None):
    """Run the command line; return the exit code. Never raises for a failure we know."""
    output = Output(sys.stdout, sys.stderr)
    try:
        try:
            code = run(parse_args(sys.argv[1:] if argv is None else argv), output)
        except UsageError as error:
            for line in USAGE.split("\n"):
                output.error(line)
            output.error("sipgate_basic: error: %s" % error)
            code = error.exit_code
        except SipgateError as error:
            output.hide(error.secrets)
            output.error("sipgate_basic: %s" % error)
            code = error.exit_code
        except (WriteFailed, KeyboardInterrupt):
            raise
        except Exception as error:
            # A failure nobody foresaw: named by its kind only, since its
            # text could hold anything; never a traceback.
            output.error("sipgate_basic: unexpected internal error (%s); please report it"
                         % error.__class__.__name__)
            code = SipgateError.exit_code
        output.flush()
    except WriteFailed as failed:
        output.error("sipgate_basic: cannot write to standard output (%s)" % failed)
        code = WRITE_ERROR
    output.silence()
    return code


def parse_args(argv):
    """The options in `argv`, as attributes. Raises UsageError.

    Hand-written rather than argparse for two reasons: a usage error must
    never echo an argument (a mistyped flag may be followed by a token),
    and argparse costs more start-up time than the rest of this program.
    """
    options = Options(token_id=None, base_url=None, env_file=None, timeout=DEFAULT_TIMEOUT,
                      cacert=None, json=False, verbose=False, offline=False, help=False,
                      version=False)
    args = list(argv)
    while args:
        arg = args.pop(0)
        flag, has_value, value = arg.partition("=")
        if flag in SECRET_FLAGS:
            raise UsageError("%s is not taken on the command line, where ps and shell history "
                             "would show it; set %s in the environment or in .env"
                             % (flag, SECRET_FLAGS[flag]))
        if arg in SWITCHES:
            setattr(options, SWITCHES[arg], True)
            if options.help or options.version:
                return options  # as for any program: the rest is not read
        elif flag in SWITCHES:
            raise UsageError("%s takes no value" % flag)
        elif flag in VALUE_FLAGS:
            if not has_value:
                if not args:
                    raise UsageError("%s needs a value" % flag)
                value = args.pop(0)
            setattr(options, VALUE_FLAGS[flag], value)
        elif arg.startswith("-"):
            # Named only if it looks like a flag: it could be a pasted secret.
            raise UsageError("unknown option %s" % flag if re.match(r"--?[a-z-]{1,20}\Z", flag)
                             else "unknown option")
        else:
            raise UsageError("unexpected argument; this program takes options only")
    options.timeout = seconds(options.timeout)
    return options


class Options(object):
    """The command line's options, as attributes."""

    def __init__(self, **options):
        self.__dict__.update(options)


def seconds(value):
    """--timeout's value: a number of seconds above 0 and at most MAX_TIMEOUT."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= MAX_TIMEOUT:
        raise UsageError("--timeout: must be a number of seconds above 0 and at most %g"
                         % MAX_TIMEOUT)
    return number


def run(options, output):
    """The program: one request, its answer on standard output. Raises SipgateError.

    fetch_account's three steps (build, send, read), with what --offline
    and --verbose show between them.
    """
    if options.help:
        for line in HELP.split("\n"):
            output.out(line)
        return SUCCESS
    if options.version:
        output.out("sipgate_basic " + __version__ + zipapp_note())
        return SUCCESS
    config = load_config(options.token_id, options.base_url, options.env_file,
                         offline=options.offline)
    output.hide(config.secrets())
    if options.cacert:
        tls_context(options.cacert)  # a --cacert that cannot be used stops us here
    request = build_request(config)
    if options.offline or options.verbose:
        for note in config.notes + ["route: " + config.route.why] + [
                "hint: " + hint for hint in config.hints()]:
            output.error("* " + note)
    if options.offline:
        for line in request_lines(request, config.shown_authorization()):
            output.out(line)
        if config.unfilled:
            output.error("sipgate_basic: %s. The Authorization line shows where the "
                         "credentials go. Nothing was sent." % config.unfilled.rstrip("."))
        return SUCCESS
    if options.verbose:
        for line in request_lines(request, config.shown_authorization()):
            output.error("> " + line)
    answer = send(request, config.route, options.timeout, options.cacert)
    if options.verbose:
        for line in answer_lines(answer):
            output.error("< " + line)
    account = read_account(answer, config)
    for line in render(account, options.json, answer.status).split("\n"):
        output.out(line)  # JSON escapes every line end inside its strings
    return SUCCESS


def zipapp_note():
    """' (zipapp PATH)' when this file lies inside a file (a .pyz), not a folder; else ''."""
    path = os.path.abspath(__file__)
    while path != os.path.dirname(path):
        path = os.path.dirname(path)
        if os.path.isfile(path):
            return " (zipapp %s)" % path
    return ""


def render(account, as_json, status):
    """The account as printed: pretty JSON after the status, or one line of JSON.

    A character that could rewrite the terminal becomes its JSON escape
    (\\u009b), so that what is printed is still the same JSON.
    """
    try:
        if as_json:
            text = json.dumps(account)
        else:
            text = "Status: %d\n%s" % (status, json.dumps(account, indent=2, ensure_ascii=False))
    except RecursionError:  # the indented encoder recurses deeper than json.loads
        raise too_deep(status)
    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text)


class WriteFailed(Exception):
    """Standard output is closed, full, or a broken pipe."""


class Output(object):
    """Standard output and error, as this program writes them.

    Every line passes through `shown`: each secret it has been told of is
    masked, wherever the text came from, and characters that could
    rewrite the terminal are escaped. Standard output failing raises
    WriteFailed; standard error failing is passed over (the exit code
    still tells).
    """

    def __init__(self, stdout, stderr):
        self.stdout, self.stderr = stdout, stderr
        self.given, self.secrets = [], auth.SecretForms()  # the secrets, and what to mask
        self.broken = set()  # streams that failed: silenced before the program ends

    def hide(self, secrets):
        """Mask these from now on, in every form they may take (auth.SecretForms)."""
        self.given = list(secrets) + self.given
        self.secrets = auth.SecretForms(self.given)

    def shown(self, line):
        """`line` with its secrets masked and what is not printable escaped.

        Not printable (str.isprintable): control characters (escape
        sequences, line ends, the 8-bit CSI), the invisible ones that
        reorder or hide text (U+202E, U+061C), and the lone surrogates
        that stand for bytes that were not UTF-8. Escaped, a line ending
        in the text of a server or a file cannot start a line of its own.
        """
        line = self.secrets.hidden(line)
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
            raise WriteFailed(describe(error))

    def flush(self):
        if self.stdout is None:
            return  # closed from the start; only writing to it is a failure
        try:
            self.stdout.flush()
        except (OSError, ValueError, AttributeError) as error:
            self.broken.add(self.stdout)
            raise WriteFailed(describe(error))

    def silence(self):
        """Point broken streams at /dev/null, so the interpreter's last flush is quiet."""
        for stream in self.broken:
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError, AttributeError):
                pass


def describe(error):
    """Why a write to standard output failed, in words."""
    if isinstance(error, BrokenPipeError):
        return "broken pipe: the reader went away"
    if isinstance(error, OSError):
        return error.strerror or "write error"
    return "it is closed"
