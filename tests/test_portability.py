"""Runs wherever a python3 runs: every CPython 3.x here, standard library only.

The package is copied alone into an empty folder and run there with
`python3.X -S -E -m sipgate_basic`: no site-packages, no PYTHON* variables,
nothing but the folder, as on a locked-down host.
"""

import ast
import base64
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, assert_no_secret, demo_credentials
from fake_sipgate import ACCOUNT, DEMO_TOKEN, DEMO_TOKEN_ID

PACKAGE = os.path.join(ROOT, "sipgate_basic")
MINORS = range(6, 15)  # 3.6 to 3.14


def interpreters():
    """{(3, minor): path} of the real CPython 3 interpreters on this machine.

    pyenv's versions folder first: its `python3.X` shims on PATH fail for a
    version that is not active. Then real interpreters on PATH.
    """
    candidates = []
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    if shutil.which("pyenv"):
        try:
            root = subprocess.check_output(["pyenv", "root"], universal_newlines=True).strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    candidates += sorted(glob.glob(os.path.join(root, "versions", "3.*", "bin", "python3")))
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if "shims" not in directory.split(os.sep):
            candidates += [os.path.join(directory, "python3.%d" % m) for m in MINORS]
            candidates.append(os.path.join(directory, "python3"))
    found = {}
    for path in candidates:
        if not os.access(path, os.X_OK):
            continue
        try:
            out = subprocess.check_output(
                [path, "-S", "-E", "-c", "import sys, platform; print(sys.version_info[0], "
                 "sys.version_info[1], platform.python_implementation())"],
                universal_newlines=True, stderr=subprocess.DEVNULL, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        major, minor, implementation = out.split()
        if implementation == "CPython" and major == "3":
            found.setdefault((3, int(minor)), path)
    return found


INTERPRETERS = interpreters()


@pytest.fixture
def copied(tmp_path):
    """The package alone, in an empty folder."""
    shutil.copytree(PACKAGE, str(tmp_path / "sipgate_basic"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    return str(tmp_path)


def run_isolated(python, folder, *args, **env):
    base = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"}  # an ASCII locale, too
    completed = subprocess.run([python, "-S", "-E", "-m", "sipgate_basic"] + list(args),
                               cwd=folder, env=dict(base, **env), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert_no_secret(completed.stdout + completed.stderr)
    assert "Traceback" not in completed.stderr
    return completed


@pytest.mark.parametrize("minor", MINORS, ids=["3.%d" % m for m in MINORS])
def test_runs_end_to_end_on_every_cpython_here(minor, copied, fake):
    python = INTERPRETERS.get((3, minor))
    if python is None:
        pytest.skip("no CPython 3.%d on this machine" % minor)
    env = {"SIPGATE_BASE_URL": fake.base_url, "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID,
           "SIPGATE_TOKEN": DEMO_TOKEN}
    ok = run_isolated(python, copied, "--verbose", **env)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("Status: 200\n")
    assert "> Authorization: Basic <hidden: Base64 of token-DEMO01:...afa6>" in ok.stderr
    assert dict(fake.requests[0].headers)["Authorization"] == "Basic " + demo_credentials()
    as_json = run_isolated(python, copied, "--json", **env)
    assert json.loads(as_json.stdout) == ACCOUNT
    env["SIPGATE_TOKEN"] = "wrong"
    rejected = run_isolated(python, copied, **env)
    assert rejected.returncode == 3
    assert rejected.stderr.startswith("sipgate_basic: HTTP 401 Unauthorized")
    with open(os.path.join(copied, "broken.env"), "w") as broken:
        broken.write("SIPGATE_TOKEN='unterminated\n")
    refused = run_isolated(python, copied, "--env-file", "broken.env")
    assert refused.returncode == 2
    assert "broken.env:1:" in refused.stderr
    # UTF-8 in the environment, read in a C locale (Python 3.6 decodes it
    # as ASCII): still the same text, sent as the same UTF-8.
    env["SIPGATE_TOKEN_ID"] = "token-\u00dc1"
    utf8 = run_isolated(python, copied, **env)
    assert utf8.returncode == 3, utf8.stderr
    assert dict(fake.requests[-1].headers)["Authorization"] == "Basic " + base64.b64encode(
        "token-\u00dc1:wrong".encode("utf-8")).decode("ascii")
    assert len(fake.requests) == 4


def test_the_oldest_promised_python_is_here_in_ci():
    # The image this project is tested on ships 3.6; if it vanished, the
    # matrix above would skip it silently.
    if os.environ.get("CI") and (3, 6) not in INTERPRETERS:
        pytest.fail("CI has no CPython 3.6: the promise to run on it goes untested")


def imported_modules(path):
    with open(path, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="sys.stdlib_module_names is 3.10+")
def test_imports_only_the_standard_library():
    for path in glob.glob(os.path.join(PACKAGE, "*.py")):
        for module in imported_modules(path):
            assert module in sys.stdlib_module_names or module == "sipgate_basic", (
                "%s imports %s, which is not in the standard library" % (path, module))


def test_no_syntax_newer_than_python_3_6():
    # The interpreter test proves it where 3.6 is present; this names the
    # usual culprits everywhere else.
    forbidden = [
        (r"^from __future__ import annotations", "postponed annotations (3.7)"),
        (r"\bremoveprefix\(|\bremovesuffix\(", "str.removeprefix (3.9)"),
        (r"^import dataclasses|^from dataclasses", "dataclasses (3.7)"),
        (r"[^=!<>]:=", "assignment expressions (3.8)"),
        (r"\b(list|dict|tuple|set)\[", "builtin generics (3.9)"),
        (r"capture_output=", "subprocess capture_output (3.7)"),
    ]
    for path in glob.glob(os.path.join(PACKAGE, "*.py")):
        with open(path, encoding="utf-8") as source:
            text = source.read()
        for pattern, what in forbidden:
            assert not re.search(pattern, text, re.M), "%s uses %s" % (path, what)
