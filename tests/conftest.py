"""Shared test helpers: the fake sipgate fixture and a runner for the real CLI.

Every end-to-end test runs `python -m sipgate_basic` in a subprocess, in an
empty folder (so no stray ./.env is read) with an environment cleaned of
SIPGATE_* and proxy variables, and checks what the user would see.
"""

import base64
import os
import socket
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from fake_sipgate import (  # noqa: E402
    DEMO_ACCESS_TOKEN, DEMO_TOKEN, DEMO_TOKEN_ID, NO_SCOPE_TOKEN, NO_SCOPE_TOKEN_ID,
    FakeSipgate, tls_server_context)

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "promise(name): the test proves the README Security row of that name "
        "(test_readme.py checks that each row names exactly the tests marked for it)")


def demo_credentials(token_id=DEMO_TOKEN_ID, token=DEMO_TOKEN):
    return base64.b64encode(("%s:%s" % (token_id, token)).encode("utf-8")).decode("ascii")


# Everything that must never reach standard output or standard error.
SECRETS = (DEMO_TOKEN, NO_SCOPE_TOKEN, DEMO_ACCESS_TOKEN, demo_credentials(),
           demo_credentials(NO_SCOPE_TOKEN_ID, NO_SCOPE_TOKEN))


def clean_environment(**settings):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SIPGATE_") and k.lower() not in PROXY_VARIABLES
           and not k.startswith("PYTHON")}
    env["PYTHONPATH"] = ROOT
    env.update(settings)
    return env


class Result(object):
    def __init__(self, completed):
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    @property
    def output(self):
        return self.out + self.err

    def __repr__(self):
        return "Result(code=%r, out=%r, err=%r)" % (self.code, self.out, self.err)


@pytest.fixture
def run(tmp_path):
    """run(*args, env={...}, python=sys.executable) -> Result of python -m sipgate_basic.

    Asserts on every run that no secret appears in its output.
    """

    def run(*args, **kwargs):
        env = clean_environment(**kwargs.pop("env", {}))
        python = kwargs.pop("python", sys.executable)
        cwd = kwargs.pop("cwd", str(tmp_path))
        completed = subprocess.run(
            [python, "-m", "sipgate_basic"] + list(args), env=env, cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
            timeout=kwargs.pop("timeout", 60), **kwargs)
        result = Result(completed)
        assert_no_secret(result.output)
        return result

    return run


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text, "a secret was printed"


@pytest.fixture
def fake():
    with FakeSipgate() as server:
        yield server


@pytest.fixture
def tls_fake():
    """The fake over TLS, with the test certificate for 127.0.0.1 (tls/README.txt)."""
    with FakeSipgate(tls_context=tls_server_context()) as server:
        yield server


def env_for(server, **more):
    """Environment for the demo token against `server`, plus `more`."""
    return dict({"SIPGATE_BASE_URL": server.base_url, "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
                 "SIPGATE_TOKEN": DEMO_TOKEN}, **more)


@pytest.fixture
def demo_env(fake):
    """Environment for the demo token against the fake."""
    return env_for(fake)


def spy_on_compare_digest(module, monkeypatch):
    """The (given, expected) pairs `module` hands hmac.compare_digest, recorded as it runs."""
    calls = []
    compare_digest = module.hmac.compare_digest

    def recording(given, expected):
        calls.append((given, expected))
        return compare_digest(given, expected)

    monkeypatch.setattr(module.hmac, "compare_digest", recording)
    return calls


def closed_port():
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]



@pytest.fixture
def raw_server():
    """raw_server(response) -> the base URL of a server that sends `response` (bytes) as it is.

    For answers no well-behaved server sends. It listens on 127.0.0.1 only,
    reads each request head, writes `response`, closes, and stops with the test.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    stopping = threading.Event()
    answers = []

    def serve():
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            with client:
                client.settimeout(5)
                head = b""
                try:
                    while b"\r\n\r\n" not in head and len(head) < 65536:
                        chunk = client.recv(4096)
                        if not chunk:
                            break
                        head += chunk
                    client.sendall(answers[0])
                    client.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def start(response):
        answers[:] = [response]
        return "http://127.0.0.1:%d/v2" % listener.getsockname()[1]

    yield start
    stopping.set()
    thread.join(5)
    listener.close()
