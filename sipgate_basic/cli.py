"""The command line: flags in; one request; a message and an exit code out.

Owns: the flags and --help, what goes to standard output (the account, or
the request with --offline) and to standard error (diagnostics), and the
exit code. Leaves the sources of settings to `config`, the request to
`client`, and the wording of failures to `errors`.
"""

import json
import sys
import types

from . import __version__
from .client import answer_lines, build_request, read_account, request_lines, send
from .config import DEFAULT_BASE_URL, load_config
from .errors import EXIT_CODES, SipgateError, UsageError

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
                     %s)
  --env-file PATH    read settings from PATH instead of ./.env
  --timeout SECONDS  give up after this long, whole exchange included
                     (default 10)
  --cacert FILE      trust the CA certificates in FILE (PEM) instead of
                     the system's
  --json             print only the account as JSON on standard output
  -v, --verbose      show the request and the answer's headers on
                     standard error, secrets masked
  --offline          print the request that would be sent, secrets
                     masked; send nothing
  --version          print the version and exit
  -h, --help         print this help and exit

environment variables (and keys of a .env file):
  SIPGATE_TOKEN_ID      the token ID, e.g. token-ABC123 (or use --token-id)
  SIPGATE_TOKEN         the token; never a flag, so that ps cannot show it
  SIPGATE_ACCESS_TOKEN  an OAuth access token, instead of ID and token
  SIPGATE_BASE_URL      the API base URL (default %s)
  .env files written for the official sipgate.io examples also work:
  baseURL, tokenId, token (Node.js); TOKEN_ID, TOKEN (Python).
  Order: flags, then the environment, then .env. Empty counts as unset.

exit codes:
%s""" % (DEFAULT_BASE_URL, DEFAULT_BASE_URL,
         "\n".join("  %-4d %s" % code for code in EXIT_CODES))

# Flags that take a value, and the option each sets.
VALUE_FLAGS = {"--token-id": "token_id", "--base-url": "base_url", "--env-file": "env_file",
               "--timeout": "timeout", "--cacert": "cacert"}
SWITCHES = {"--json": "json", "-v": "verbose", "--verbose": "verbose", "--offline": "offline"}
# Secrets have no flag: a command line shows in ps and in shell history.
SECRET_FLAGS = {"--token": "SIPGATE_TOKEN", "--access-token": "SIPGATE_ACCESS_TOKEN"}


def parse_args(argv):
    """The options in `argv` as attributes; or the string "help" or "version".

    Hand-written rather than argparse for two reasons: a usage error must
    never echo an argument (a mistyped flag may be followed by a token),
    and argparse costs more start-up time than the rest of this program.
    Raises UsageError.
    """
    options = {"token_id": None, "base_url": None, "env_file": None, "timeout": 10.0,
               "cacert": None, "json": False, "verbose": False, "offline": False}
    args = list(argv)
    while args:
        arg = args.pop(0)
        flag, has_value, value = arg.partition("=")
        if arg in ("-h", "--help"):
            return "help"
        if arg == "--version":
            return "version"
        if flag in SECRET_FLAGS:
            raise UsageError("%s is not taken on the command line, where ps and shell history "
                             "would show it; set %s in the environment or in .env"
                             % (flag, SECRET_FLAGS[flag]))
        if arg in SWITCHES:
            options[SWITCHES[arg]] = True
        elif flag in VALUE_FLAGS:
            if not has_value:
                if not args:
                    raise UsageError("%s needs a value" % flag)
                value = args.pop(0)
            options[VALUE_FLAGS[flag]] = value
        elif arg.startswith("-"):
            raise UsageError("unknown option %s" % flag)
        else:
            raise UsageError("unexpected argument; this program takes options only")
    options["timeout"] = positive_seconds(options["timeout"])
    return types.SimpleNamespace(**options)


def positive_seconds(value):
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not 0 < seconds < float("inf"):
        raise UsageError("--timeout: must be a positive number of seconds, not %r" % value)
    return seconds


def main(argv=None):
    """Run the command line; return the exit code."""
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except UsageError as error:
        say(sys.stderr, "%s\nsipgate_basic: error: %s" % (USAGE, error))
        return error.exit_code
    if args == "help":
        say(sys.stdout, HELP)
        return 0
    if args == "version":
        say(sys.stdout, "sipgate_basic " + __version__)
        return 0
    try:
        config = load_config(args.token_id, args.base_url, args.env_file)
        request = build_request(config)
        if args.offline:
            for line in request_lines(request, config.shown_authorization()):
                say(sys.stdout, line)
            return 0
        if args.verbose:
            for note in config.notes:
                say(sys.stderr, "* " + note)
            for line in request_lines(request, config.shown_authorization()):
                say(sys.stderr, "> " + line)
        answer = send(request, args.timeout, args.cacert)
        if args.verbose:
            for line in answer_lines(answer):
                say(sys.stderr, "< " + line)
        account = read_account(answer, request, config.auth_scheme)
    except SipgateError as error:
        say(sys.stderr, "sipgate_basic: %s" % error)
        return error.exit_code

    if args.json:
        say(sys.stdout, json.dumps(account))
    else:
        say(sys.stdout, "Status: %d" % answer.status)
        say(sys.stdout, json.dumps(account, indent=2, ensure_ascii=False))
    return 0


def say(stream, text):
    """Print one line; characters the terminal cannot show become escapes.

    (Python 3.6 in a C locale has an ASCII standard output, and a company
    name like "Müller" would otherwise end the program.)
    """
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        encoding = stream.encoding or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")
