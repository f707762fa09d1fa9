"""The command line: flags in; one request; a message and an exit code out.

As in httpie, `main` handles the errors and `program` is the program:
settings, then `fetch_account`, watched by `Printer` for --verbose and
--offline. Data goes to standard output, diagnostics to standard error,
each line through guards.output (secrets masked, control characters escaped).
"""

import json
import os
import sys

from . import __version__
from .client import Watcher, fetch_account
from .config import load_config
from .defaults import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, MAX_TIMEOUT
from .errors import EXIT_CODES, SUCCESS, SipgateError, UsageError
from .guards import checks, masking
from .guards.output import Output, WriteFailed

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
  -v, --verbose      show the route, the request and the response's headers
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
        code = program(parse_args(sys.argv[1:] if argv is None else argv), output)
    except UsageError as error:
        for line in USAGE.split("\n") + ["sipgate_basic: error: %s" % error]:
            output.error(line)
        code = error.exit_code
    except SipgateError as error:
        output.error("sipgate_basic: %s" % error)  # one line: the cause, and what to do
        code = error.exit_code
    except WriteFailed:
        code = None  # standard output failed: finish() says so
    except Exception as error:
        # A failure nobody foresaw: named by its kind only, since its text
        # could hold anything; never a traceback.
        output.error("sipgate_basic: unexpected internal error (%s); please report it"
                     % error.__class__.__name__)
        code = SipgateError.exit_code
    return output.finish(code)  # WRITE_ERROR (23) if standard output failed


def program(options, output):
    """The program: settings, one request, the account on standard output."""
    if options.help or options.version:
        for line in (HELP if options.help else version()).split("\n"):
            output.out(line)
        return SUCCESS
    config = load_config(options.token_id, options.base_url, options.env_file,
                         offline=options.offline, cacert=options.cacert)
    output.hide(masking.secrets_of(config))
    watcher = Printer(options, config, output)  # what --verbose and --offline show
    account = fetch_account(config, options.timeout, watcher, options.offline)
    if not options.offline:
        for line in render(account, options.json, watcher.status).split("\n"):
            output.out(line)  # JSON escapes every line end inside its strings
    return SUCCESS


def version():
    """The version, and the zipapp it runs from (a file, not a folder), if it does."""
    path = os.path.abspath(__file__)
    while path != os.path.dirname(path):
        path = os.path.dirname(path)
        if os.path.isfile(path):
            return "sipgate_basic %s (zipapp %s)" % (__version__, path)
    return "sipgate_basic " + __version__


def parse_args(argv):
    """The options in `argv`, as attributes. Raises UsageError.

    Not argparse: a usage error must never echo an argument (it may be a
    token), and argparse costs more start-up time than the rest of this program.
    """
    options = Options()
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
            raise checks.unknown_option(arg, sorted(VALUE_FLAGS) + sorted(SWITCHES))
        else:
            raise UsageError("unexpected argument; this program takes options only")
    options.timeout = seconds(options.timeout)
    return options


class Options(object):
    """The command line's options, as attributes: each flag's value, or its default."""

    token_id = base_url = env_file = cacert = None
    timeout = DEFAULT_TIMEOUT
    json = verbose = offline = help = version = False


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


def render(account, as_json, status):
    """The account as printed: pretty JSON after the status, or one line of JSON.
    A control character becomes its JSON escape: what is printed is still JSON."""
    if as_json:
        text = json.dumps(account)
    else:
        text = "Status: %d\n%s" % (status, json.dumps(account, indent=2, ensure_ascii=False))
    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text)


class Printer(Watcher):
    """The Watcher that prints what --offline and --verbose show, and notes the status:
    route, notes and hints (*); the request (on standard output for --offline,
    after > for --verbose); the response's headers (<)."""

    def __init__(self, options, config, output):
        self.options, self.config, self.output = options, config, output
        self.status = None  # of the response, for "Status: 200"

    def request(self, request):
        config, options, output = self.config, self.options, self.output
        if not (options.offline or options.verbose):
            return
        for note in config.notes + ["route: " + config.route.why] + [
                "hint: " + hint for hint in checks.hints(config)]:
            output.error("* " + note)
        for line in request_lines(request, masking.shown_authorization(config)):
            if options.offline:
                output.out(line)
            else:
                output.error("> " + line)
        if config.missing_credentials:  # (only --offline takes a run without them)
            output.error("sipgate_basic: %s. The Authorization line shows where the credentials "
                         "go. Nothing was sent." % config.missing_credentials.rstrip("."))

    def response(self, response):
        self.status = response.status
        if self.options.verbose:
            for line in ["HTTP/%s %d %s" % (response.version, response.status, response.reason)
                         ] + ["%s: %s" % header for header in response.headers]:
                self.output.error("< " + line)


def request_lines(request, shown_authorization):
    """The request as urllib and http.client send it, the Authorization value masked.

    http.client adds Accept-Encoding, urllib Connection: close. (http.client's
    own debug output would print the credentials in full.)
    """
    headers = [("Accept-Encoding", "identity"), ("Authorization", shown_authorization)]
    for name, value in list(request.unredirected_hdrs.items()) + list(request.headers.items()):
        if name.lower() != "authorization":
            headers.append((name.title(), value))
    headers.append(("Connection", "close"))
    return ["%s %s HTTP/1.1" % (request.get_method(), request.selector)] + [
        "%s: %s" % header for header in headers]
