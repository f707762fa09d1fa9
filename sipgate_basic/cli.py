"""The command line: flags in; one request; a message and an exit code out.

Owns: the flags and --help, what goes to standard output (the account:
data) and to standard error (diagnostics), and the exit code. Leaves the
sources of settings to `config`, the request to `client`, and the wording
of failures to `errors`.
"""

import argparse
import json
import sys

from . import __version__
from .client import answer_lines, build_request, read_account, request_lines, send
from .config import DEFAULT_BASE_URL, load_config
from .errors import EXIT_CODES, SipgateError

EPILOG = """\
environment variables (and keys of a .env file):
  SIPGATE_TOKEN_ID      the token ID, e.g. token-ABC123 (or use --token-id)
  SIPGATE_TOKEN         the token; never a flag, so that ps cannot show it
  SIPGATE_ACCESS_TOKEN  an OAuth access token, instead of ID and token
  SIPGATE_BASE_URL      the API base URL (default %s)
  .env files written for the official sipgate.io examples also work:
  baseURL, tokenId, token (Node.js); TOKEN_ID, TOKEN (Python).
  Order: flags, then the environment, then .env. Empty counts as unset.

exit codes:
%s
""" % (DEFAULT_BASE_URL, "\n".join("  %-4d %s" % code for code in EXIT_CODES))


def positive_seconds(text):
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds, not %r" % text)
    return seconds


class SecretFlag(argparse.Action):
    """A flag we refuse, without echoing its value: secrets stay off the command line."""

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error("%s is not taken on the command line, where ps and shell history "
                     "would show it; set %s in the environment or in .env"
                     % (option_string, self.metavar))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sipgate_basic",
        description="Fetch GET /account from the sipgate REST API with a Personal Access\n"
                    "Token (HTTP Basic Auth) or an OAuth access token (Bearer).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        # Without this, --token would be read as an abbreviation of --token-id.
        allow_abbrev=False)
    parser.add_argument("--token-id", metavar="ID", help="the token ID (SIPGATE_TOKEN_ID)")
    parser.add_argument("--base-url", metavar="URL",
                        help="the API base URL (SIPGATE_BASE_URL; default %s)" % DEFAULT_BASE_URL)
    parser.add_argument("--env-file", metavar="PATH",
                        help="read settings from PATH instead of ./.env")
    parser.add_argument("--timeout", metavar="SECONDS", type=positive_seconds, default=10.0,
                        help="give up after this long, whole exchange included (default 10)")
    parser.add_argument("--cacert", metavar="FILE",
                        help="trust the CA certificates in FILE (PEM) instead of the system's")
    parser.add_argument("--json", action="store_true",
                        help="print only the account as JSON on standard output")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the request and the answer's headers on standard error, "
                             "secrets masked")
    parser.add_argument("--offline", action="store_true",
                        help="print the request that would be sent, secrets masked; send nothing")
    parser.add_argument("--version", action="version", version="sipgate_basic " + __version__)
    for flag, variable in (("--token", "SIPGATE_TOKEN"), ("--access-token", "SIPGATE_ACCESS_TOKEN")):
        parser.add_argument(flag, nargs="?", action=SecretFlag, metavar=variable,
                            help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    """Run the command line; return the exit code."""
    args = parse_args(argv)
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
