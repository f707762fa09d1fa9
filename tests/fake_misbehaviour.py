"""The fake sipgate misbehaving, one way per mode, for the tests of a hostile network.

This file owns the misbehaviours; fake_sipgate.py owns the well-behaved fake,
which reads and records each request before it hands it here. A test picks
one with `fake.mode = NAME` and sets the attributes of the fake that the mode
reads; from then on every request gets that answer, whatever its path or
credentials.

    mode              reads (default)     answer
    redirect          redirect_to         302 with Location: redirect_to
    status            status              that status, a JSON body
    not-json          -                   200 text/html
    silent            -                   none: the connection stays open and mute
    drip              -                   a valid 200, one byte every 50 ms
    huge              (bytes_sent)        200 announcing 16 MiB, streamed until refused
    huge-unannounced  (bytes_sent)        200 without Content-Length, streamed until refused
    reset             -                   none: a TCP reset
    hang-up           -                   none: a clean close

`bytes_sent` is written, not read: how much "huge" and "huge-unannounced" sent.
"""

import json
import socket
import struct
import time

from fake_sipgate import ACCOUNT

SETTINGS = {  # attribute of the fake -> its value while the test has set none
    "redirect_to": None,
    "status": None,
    "bytes_sent": 0,
}


def setting(fake, name):
    return getattr(fake, name, SETTINGS[name])


def _redirect(fake, handler):
    handler.send_json(302, {"message": "Found"}, [("Location", setting(fake, "redirect_to"))])


def _status(fake, handler):
    handler.send_json(setting(fake, "status"), {"message": "forced by the test"})


def _not_json(fake, handler):
    handler.send_body(200, b"<html><body>Maintenance</body></html>", "text/html")


def _silent(fake, handler):
    handler.close_connection = True
    fake.stopping.wait(60)


def _drip(fake, handler):
    """Each read is quick, the whole is slow."""
    body = json.dumps(ACCOUNT).encode("utf-8")
    head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode("ascii")
    handler.close_connection = True
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
    "silent": _silent,
    "drip": _drip,
    "huge": _huge,
    "huge-unannounced": _huge_unannounced,
    "reset": _reset,
    "hang-up": _hang_up,
}
