"""Runs wherever a python3 runs: every CPython 3.6+ here (and PyPy), standard library only.

The package is copied alone into an empty folder and run there with
`python3 -S -E -m sipgate_basic`: no site-packages, no PYTHON* variables,
nothing but the folder, as on a locked-down host.
"""

import ast
import base64
import collections
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
SOURCES = os.path.join(PACKAGE, "**", "*.py")  # subpackages too: glob(..., recursive=True)
MINORS = range(6, 15)  # 3.6 to 3.14: the names python3.X looked for on PATH
# .ci/run runs the suite once per Python; the interpreter matrix below, which
# starts every Python itself, needs to run in only one of those runs.
TESTED_BY = os.environ.get("SIPGATE_BASIC_PORTABILITY_TESTED_BY")

# One interpreter found here: id is "<implementation>-<version>-<path>", e.g.
# "cpython-3.11.2-/usr/bin/python3"; path is the first path it was found at;
# implementation is platform.python_implementation() ("CPython", "PyPy");
# version is sys.version_info[:3], a tuple of ints.
Interpreter = collections.namedtuple("Interpreter", "id path implementation version")

PROBE = ("import platform, sys; print(platform.python_implementation()); "
         "print(' '.join(str(n) for n in sys.version_info[:3]))")


def interpreter_paths():
    """Every path where a Python 3 may be: pyenv's versions, then PATH, in that order.

    pyenv's versions folder first: its `python3.X` shims on PATH fail for a
    version that is not active, so shims are never used. On PATH, `python3`
    before `python3.X`, so that an interpreter is named as it is usually run.
    """
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    if shutil.which("pyenv"):
        try:
            root = subprocess.check_output(["pyenv", "root"], universal_newlines=True).strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    paths = sorted(glob.glob(os.path.join(root, "versions", "*", "bin", "python3")))
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if directory and "shims" not in directory.split(os.sep):
            paths += [os.path.join(directory, name) for name in
                      ["python3", "pypy3"] + ["python3.%d" % m for m in MINORS]]
    return paths


def interpreters():
    """[Interpreter] of the CPython 3.6+ and PyPy 3 interpreters here, one per real path.

    Found by path, not one per minor version: Debian's /usr/bin/python3
    (3.11.2) and pyenv's 3.11.7 are two interpreters, both tested; a path
    that is a link to one already found (/bin/python3) is not a third.
    """
    found, seen = [], set()
    for path in interpreter_paths():
        real = os.path.realpath(path)
        if real in seen or not os.path.isfile(real) or not os.access(real, os.X_OK):
            continue
        seen.add(real)
        try:
            out = subprocess.check_output([path, "-S", "-E", "-c", PROBE],
                                          universal_newlines=True,
                                          stderr=subprocess.DEVNULL, timeout=30)
            implementation, numbers = out.splitlines()
            version = tuple(int(n) for n in numbers.split())
        except (OSError, subprocess.SubprocessError, ValueError):
            continue
        if implementation in ("CPython", "PyPy") and (3, 6) <= version < (4,):
            name = "%s-%s-%s" % (implementation.lower(), ".".join(map(str, version)), path)
            found.append(Interpreter(name, path, implementation, version))
    return sorted(found, key=lambda one: (one.implementation != "CPython", one.version, one.path))


INTERPRETERS = interpreters()


def skip_if_run_elsewhere():
    if TESTED_BY:
        pytest.skip("run once per CI run, in the run under %s (.ci/run sets "
                    "SIPGATE_BASIC_PORTABILITY_TESTED_BY)" % TESTED_BY)


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


@pytest.mark.parametrize("python", [found.path for found in INTERPRETERS],
                         ids=[found.id for found in INTERPRETERS])
def test_runs_end_to_end_on_every_python_here(python, copied, fake):
    skip_if_run_elsewhere()
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
    skip_if_run_elsewhere()
    oldest = [found for found in INTERPRETERS
              if found.implementation == "CPython" and found.version[:2] == (3, 6)]
    if os.environ.get("CI") and not oldest:
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
    for path in glob.glob(SOURCES, recursive=True):
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
    for path in glob.glob(SOURCES, recursive=True):
        with open(path, encoding="utf-8") as source:
            text = source.read()
        for pattern, what in forbidden:
            assert not re.search(pattern, text, re.M), "%s uses %s" % (path, what)
