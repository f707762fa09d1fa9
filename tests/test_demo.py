"""`make demo` works on a bare machine and leaves nothing running."""

import re
import socket
import subprocess

import pytest

from conftest import ROOT, assert_no_secret, clean_environment


def test_make_demo_runs_both_cases_and_stops_the_fake():
    demo = subprocess.run(["make", "-s", "demo"], cwd=ROOT, env=clean_environment(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=120)
    assert demo.returncode == 0, demo.stdout
    assert "Status: 200" in demo.stdout and "(exit code 0)" in demo.stdout
    assert "sipgate_basic: HTTP 401 Unauthorized" in demo.stdout
    assert "(exit code 3)" in demo.stdout
    assert_no_secret(demo.stdout)
    port = int(re.search(r"listens at http://127\.0\.0\.1:(\d+)/v2", demo.stdout).group(1))
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
