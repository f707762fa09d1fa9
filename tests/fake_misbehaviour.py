"""The fake sipgate misbehaving, one way per mode, for the tests of a hostile network.

This file owns the misbehaviours; fake_sipgate.py owns the well-behaved fake,
which reads and records each request before it hands it here. A test picks
one with `fake.mode = NAME` and sets the attributes of the fake that the mode
reads; from then on every request gets that answer, whatever its path or
credentials.

    mode              reads (default)              answer
    redirect          redirect_to, status (302)    that 3xx, Location: redirect_to as given,
                                                     parsable or not ("http://[/x")
    status            status                       that status, a JSON body
    not-json          -                            200 text/html
    body              body (b""), announce (True), 200 with that body and type; with
                      content_type                   Content-Length if announce, else
                      ("application/json")           Connection: close; None: no type
                                                     (text/plain: content_type "text/plain")
    short             -                            200 announcing 500 bytes, sending 50
    content-length    content_length               200, Content-Length: content_length
                                                     as given ("²", "12, 13"), the account
    deep              depth (100000)               200, JSON arrays nested depth deep
    reflect           -                            401 echoing the Authorization value in
                                                     its reason, Location, X-Echo and body
    control           -                            200 with CONTROL_TEXT in its reason,
                                                     an X-Note header and the company
    silent            -                            none: the connection stays open, mute
    drip              -                            a valid 200, one byte every 50 ms
    huge              -                            200 announcing 16 MiB, streamed until
                                                     the client stops reading
    huge-unannounced  -                            200 without Content-Length, likewise
    reset             -                            none: a TCP reset
    hang-up           -                            none: a clean close

"huge" and "huge-unannounced" count what they sent in `fake.bytes_sent`.
redirect, body, short, content-length, reflect and control write their answer
byte for byte, text that http.server would refuse included, and end the
connection after it.
"""

import http
import json
import socket
import struct
import time

from fake_sipgate import ACCOUNT

SETTINGS = {  # attribute of the fake -> its value while the test has set none
    "redirect_to": None,
    "status": None,
    "body": b"",
    "announce": True,
    "content_type": "application/json",
    "content_length": None,
    "depth": 100000,
    "bytes_sent": 0,
}

# Terminal control: clear screen, set the window title, carriage return,
# the 8-bit CSI, and a right-to-left override that reverses what follows.
CONTROL_TEXT = "Evil\x1b[2J\x1b]0;title\x07\r\x9b\u202eGmbH"


def setting(fake, name):
    return getattr(fake, name, SETTINGS[name])


def _wire(text):
    """Header text as bytes: Latin-1 where it can be, UTF-8 where it cannot."""
    return b"".join(c.encode("latin-1" if ord(c) < 256 else "utf-8") for c in text)


def _send_raw(handler, status, reason, headers, body):
    """Write an answer as given, then end the connection.

    http.server's send_header refuses text outside Latin-1; a broken server
    sends anything.
    """
    handler.answered = True
    handler.close_connection = True
    lines = [b"HTTP/1.1 %d " % status + _wire(reason)]
    lines += [_wire(name) + b": " + _wire(value) for name, value in headers]
    handler.log_request(status)  # the request line and status, as for any answer
    handler.wfile.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)


def _redirect(fake, handler):
    status = setting(fake, "status") or 302
    _send_raw(handler, status, http.HTTPStatus(status).phrase,
              [("Location", str(setting(fake, "redirect_to"))), ("Content-Length", "0")], b"")


def _status(fake, handler):
    handler.send_json(setting(fake, "status"), {"message": "forced by the test"})


def _not_json(fake, handler):
    handler.send_body(200, b"<html><body>Maintenance</body></html>", "text/html")


def _body(fake, handler):
    body, content_type = setting(fake, "body"), setting(fake, "content_type")
    headers = [] if content_type is None else [("Content-Type", content_type)]
    if setting(fake, "announce"):
        headers.append(("Content-Length", str(len(body))))
    else:
        headers.append(("Connection", "close"))  # the end of the body is the end of the connection
    _send_raw(handler, 200, "OK", headers, body)


def _short(fake, handler):
    # Valid JSON on its own: only the missing 450 bytes tell that it was cut.
    body = b'{"company": "x"}'.ljust(50)
    _send_raw(handler, 200, "OK", [("Content-Type", "application/json"),
                                   ("Content-Length", "500")], body)


def _content_length(fake, handler):
    _send_raw(handler, 200, "OK", [("Content-Type", "application/json"),
                                   ("Content-Length", setting(fake, "content_length"))],
              json.dumps(ACCOUNT).encode("utf-8"))


def _deep(fake, handler):
    depth = setting(fake, "depth")
    handler.send_body(200, b"[" * depth + b"]" * depth, "application/json")


def _reflect(fake, handler):
    value = handler.headers.get("Authorization", "")
    body = json.dumps({"message": value}).encode("utf-8")
    _send_raw(handler, 401, value, [
        ("Location", value), ("X-Echo", value),
        ("WWW-Authenticate", 'Basic realm="sipgate REST API"'),
        ("Content-Type", "application/json"), ("Content-Length", str(len(body)))], body)


def _control(fake, handler):
    # In the body, json.dumps escapes the C0 controls (\u001b) and leaves the
    # rest raw UTF-8. X-Note comes last: a parser that takes the bare \r for a
    # line end loses what follows, and the framing must survive it.
    body = json.dumps(dict(ACCOUNT, company=CONTROL_TEXT), ensure_ascii=False).encode("utf-8")
    _send_raw(handler, 200, CONTROL_TEXT, [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
        ("X-Note", CONTROL_TEXT)], body)


def _silent(fake, handler):
    handler.close_connection = True
    fake.stopping.wait(60)


def _drip(fake, handler):
    """Each read is quick, the whole is slow."""
    body = json.dumps(ACCOUNT).encode("utf-8")
    head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode("ascii")
    handler.answered = handler.close_connection = True
    for i in range(len(head + body)):
        if fake.stopping.wait(0.05):
            return
        handler.wfile.write((head + body)[i:i + 1])
        handler.wfile.flush()


def _huge(fake, handler):
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(16 << 20))
    handler.end_headers()
    _stream_until_refused(fake, handler)


def _huge_unannounced(fake, handler):
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Connection", "close")
    handler.end_headers()
    _stream_until_refused(fake, handler)


def _stream_until_refused(fake, handler):
    chunk = b" " * 65536
    deadline = time.time() + 10
    fake.bytes_sent = setting(fake, "bytes_sent")
    while fake.bytes_sent < (16 << 20) and time.time() < deadline and not fake.stopping.is_set():
        try:
            handler.wfile.write(chunk)
        except OSError:
            return
        fake.bytes_sent += len(chunk)


def _reset(fake, handler):
    handler.close_connection = True
    # SO_LINGER on, with a zero timeout: close() sends RST, not FIN.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def _hang_up(fake, handler):
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


MODES = {
    "redirect": _redirect,
    "status": _status,
    "not-json": _not_json,
    "body": _body,
    "short": _short,
    "content-length": _content_length,
    "deep": _deep,
    "reflect": _reflect,
    "control": _control,
    "silent": _silent,
    "drip": _drip,
    "huge": _huge,
    "huge-unannounced": _huge_unannounced,
    "reset": _reset,
    "hang-up": _hang_up,
}
