"""The example and its guards, laid out as README's How It Works says.

The example (`config`, `auth`, `client`, `cli`) tells the request; each
module under `sipgate_basic/guards/` keeps promises that README's Security
table lists, names those rows in its docstring, and never imports the
example's config, client or cli (auth, pure, is asked by both), so that a
learner reads the example without reading any guard.
"""

import ast
import glob
import os
import re

import pytest

from conftest import ROOT

PACKAGE = os.path.join(ROOT, "sipgate_basic")
GUARDS = sorted(glob.glob(os.path.join(PACKAGE, "guards", "[a-z]*.py")))
EXAMPLE = ("config", "auth", "client", "cli")


def security_rows():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    section = text[text.index("## Security"):]
    return re.findall(r"^\| \*\*(.+?)\.\*\*", section, re.M)


def module(path):
    with open(path, encoding="utf-8") as source:
        return ast.parse(source.read())


@pytest.mark.parametrize("path", GUARDS, ids=[os.path.basename(p) for p in GUARDS])
def test_each_guard_names_the_security_rows_it_keeps(path):
    docstring = ast.get_docstring(module(path))
    assert docstring.startswith("Guard: ")
    promise = re.search(r"Promise \(README Security, rows? (.+?)\):", docstring, re.S)
    assert promise, "%s does not name its Security rows" % path
    named = [" ".join(row.split()) for row in re.findall(r'"([^"]+)"', promise.group(1))]
    assert named and set(named) <= set(security_rows()), named


@pytest.mark.parametrize("path", GUARDS, ids=[os.path.basename(p) for p in GUARDS])
def test_guards_never_import_the_example(path):
    for node in ast.walk(module(path)):
        if isinstance(node, ast.ImportFrom) and node.level == 2:
            names = [node.module] if node.module else [a.name for a in node.names]
            assert not set(names) & set(EXAMPLE) - {"auth"}, (path, names)


def test_every_guard_is_reached_from_the_example_by_name():
    used = set()
    for name in EXAMPLE:
        source = open(os.path.join(PACKAGE, name + ".py"), encoding="utf-8").read()
        used.update(re.findall(r"\b(checks|limits|masking|network|transport|output)\.", source))
        used.update(re.findall(r"from \.guards\.(\w+) import", source))
    # urls and proxy are reached through checks, the settings' one call.
    assert used == {os.path.basename(p)[:-3] for p in GUARDS} - {"urls", "proxy"}


def test_the_package_is_no_larger_than_before_the_guards_moved_out():
    # Issue 12: at most the 2,042 lines the package had (as wc -l counts).
    lines = 0
    for path in glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True):
        with open(path, "rb") as source:
            lines += source.read().count(b"\n")
    assert lines <= 2042
