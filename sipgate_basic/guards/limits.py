"""Guard: bounded time and memory, and an account that is an account.

Promise (README Security, rows "Timeout" and "Body limits"): the exchange
ends within --timeout seconds, whatever the network does; a body is read up
to MAX_BODY bytes, never cut short unnoticed; a 2xx is an account only if
its body is a JSON object that Python and --json can hold.
"""

import itertools
import json
import re
import threading

from ..defaults import MAX_BODY, MAX_NESTING
from ..errors import NetworkError, UnexpectedResponse
from . import network
from .masking import Masker


def within(seconds, work, timed_out):
    """work(), run in a worker thread, given at most `seconds`; then `timed_out()`'s error.
    (A socket timeout bounds each read: one byte a second would never trip it.)"""
    outcome = []

    def run():
        try:
            outcome.append((True, work()))
        except Exception as error:
            outcome.append((False, error))

    # A daemon thread does not keep the program alive once we give up on it.
    worker = threading.Thread(target=run, name="sipgate-request", daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        raise timed_out()
    ok, result = outcome[0]
    if not ok:
        raise result
    return result


def read_body(response, host):
    """The body: refused past MAX_BODY bytes before it fills memory, and never cut short."""
    lengths = response.headers.get_all("Content-Length") or []
    if not all(is_digits(value.strip()) for value in lengths) or len(set(lengths)) > 1:
        raise UnexpectedResponse("the response from %s has a Content-Length that is not one "
                                 "number" % host)
    announced = int(lengths[0]) if lengths else None
    if announced is not None and announced > MAX_BODY:
        raise UnexpectedResponse("the response announces %d bytes; an account response is a "
                                 "few hundred, and more than %d are not read"
                                 % (announced, MAX_BODY))
    chunks, size = [], 0
    while True:
        try:
            chunk = response.read1(64 * 1024)  # what came, even before a hang-up
        except OSError as error:  # 3.6, 3.7: a hang-up misnamed, where others read the end
            if not network.closed_in_tls(error):
                raise
            chunk = b""
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BODY:
            raise UnexpectedResponse("the response is longer than %d bytes; an account "
                                     "response is a few hundred. Stopped reading." % MAX_BODY)
        chunks.append(chunk)
    # Closed early, http.client returns what came: only counting tells a whole
    # response from part of one (a chunked body it checks itself: IncompleteRead).
    if announced is not None and size < announced and not response.chunked:
        raise NetworkError("the response from %s broke off after %d of the %d bytes it "
                           "announced" % (host, size, announced))
    return b"".join(chunks)


def is_digits(text):
    """ASCII digits only: str.isdigit() would take "²" and "٣" too."""
    return text != "" and text.strip("0123456789") == ""


# What a JSON value that is not an object is, in words.
KINDS = {list: "an array", str: "a string", bool: "true or false", int: "a number",
         float: "a number", type(None): "null"}


def decode_account(status, body, secrets):
    """The account: the JSON object of a 2xx body, within what an account holds."""
    if not body:
        raise UnexpectedResponse("HTTP %d, but the response has no body" % status)
    try:
        account = json.loads(body.decode("utf-8"), parse_int=whole_number,
                             parse_float=finite_number, parse_constant=no_constant)
    except RecursionError:
        raise too_deep(status)
    except NotAnAccount as why:
        raise UnexpectedResponse("HTTP %d, but the JSON %s" % (status, why))
    except ValueError:  # UnicodeDecodeError is a ValueError too
        # Masked before it is cut, so that no cut leaves part of a secret.
        text = Masker(secrets).hidden(body.decode("utf-8", "replace"))
        raise UnexpectedResponse("HTTP %d, but the body is not JSON; it begins: %r"
                                 % (status, text[:60]))
    if not isinstance(account, dict):
        raise UnexpectedResponse("HTTP %d, but the JSON is %s, not an account, which is a "
                                 "JSON object" % (status, KINDS[type(account)]))
    # Printing recurses as deep as the JSON nests; strings hold no nesting.
    brackets = re.sub(r'"(?:\\.|[^"\\])*"|[^][{}"]+', "", body.decode("utf-8"))
    if max(itertools.accumulate(1 if b in "[{" else -1 for b in brackets)) > MAX_NESTING:
        raise too_deep(status)
    return account


class NotAnAccount(ValueError):
    """JSON that Python's json reads, but no account holds, and --json could not print."""


def whole_number(text):
    # Past 4300 digits Python 3.11 and newer refuse, and 3.6 takes minutes.
    if len(text) > 4300:
        raise NotAnAccount("holds a number of more than 4300 digits")
    return int(text)


def finite_number(text):
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise NotAnAccount("holds a number too large for a float (%s...)" % text[:20])
    return number


def no_constant(name):
    raise NotAnAccount("holds %s, which JSON does not allow" % name)


def too_deep(status):
    """JSON nested deeper than MAX_NESTING, or than json.loads can: no account is."""
    return UnexpectedResponse("HTTP %d, but the JSON is nested too deeply to be an account"
                              % status)
