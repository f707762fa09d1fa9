"""The README says exactly what the program does: its code, tables and output are real."""

import os
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, clean_environment
from fake_sipgate import ACCESS_TOKENS, DEMO_TOKEN, DEMO_TOKEN_ID, TOKENS
from sipgate_basic.errors import EXIT_CODES

with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as _readme:
    README = _readme.read()

# ```python blocks whose first line names a file: "# sipgate_basic/auth.py"
QUOTES = re.findall(r"```python\n# (sipgate_basic/\w+\.py)\n(.*?)```", README, re.S)


def marked_block(marker):
    """The fenced block right after <!-- marker -->."""
    match = re.search(r"<!-- %s -->\n(?:```\n(.*?)```|(\|.*?)\n\n)" % marker, README, re.S)
    assert match, marker
    return match.group(1) or match.group(2)


def test_readme_quotes_are_in_the_code_line_for_line():
    assert len(QUOTES) >= 5
    for path, quoted in QUOTES:
        with open(os.path.join(ROOT, path), encoding="utf-8") as source:
            lines = source.read().splitlines()
        wanted = quoted.rstrip("\n").splitlines()
        found = any(
            textwrap.dedent("\n".join(lines[i:i + len(wanted)]))
            == textwrap.dedent("\n".join(wanted))
            for i in range(len(lines)))
        assert found, "README quotes %s lines that are not there:\n%s" % (path, quoted)


def test_exit_code_table_matches_the_program():
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", marked_block("exit-codes"), re.M)
    assert [(int(code), meaning) for code, meaning in rows] == list(EXIT_CODES)


def test_demo_credentials_match_the_fake():
    table = marked_block("demo-credentials")
    for token_id, (token, scopes) in TOKENS.items():
        assert "| `%s` | `%s` |" % (token_id, token) in table
    for token in ACCESS_TOKENS:
        assert "access token `%s`" % token in table


def test_the_two_commands_come_first():
    assert README.index("make demo") < README.index("## How To Use")
    assert README.index("make test") < README.index("## How To Use")


def normalise(text):
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)


def test_demo_output_is_real(tmp_path):
    demo = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "demo.py")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, env=clean_environment(), timeout=60)
    assert demo.returncode == 0, demo.stdout
    assert normalise(demo.stdout) == marked_block("demo-output")


def test_offline_output_is_real(tmp_path):
    command, expected = marked_block("offline-output").split("\n", 1)
    assignments = re.findall(r"(\w+)=(\S+)", command.split("python3")[0])
    offline = subprocess.run([sys.executable, "-m", "sipgate_basic", "--offline"],
                             stdout=subprocess.PIPE, universal_newlines=True, cwd=str(tmp_path),
                             env=clean_environment(**dict(assignments)), timeout=60)
    assert offline.stdout == expected


@pytest.mark.parametrize("target", ["demo", "test", "run", "bench", "clean"])
def test_makefile_has_the_targets_the_readme_names(target):
    with open(os.path.join(ROOT, "Makefile")) as makefile:
        assert re.search(r"^%s:" % target, makefile.read(), re.M)


def test_security_section_names_tests_that_exist():
    section = README[README.index("## Security"):README.index("## License")]
    names = set(re.findall(r"`(?:\w+\.py::)?(test_\w+)(?=[`\[])", section))
    assert len(names) >= 15
    defined = set()
    for name in os.listdir(os.path.join(ROOT, "tests")):
        if name.startswith("test_") and name.endswith(".py"):
            with open(os.path.join(ROOT, "tests", name), encoding="utf-8") as f:
                defined.update(re.findall(r"^def (test_\w+)", f.read(), re.M))
    assert names - defined == set()


def test_verbose_output_is_real(fake, tmp_path):
    command, expected = marked_block("verbose-output").split("\n", 1)
    env = clean_environment(SIPGATE_BASE_URL=fake.base_url, SIPGATE_TOKEN_ID=DEMO_TOKEN_ID,
                            SIPGATE_TOKEN=DEMO_TOKEN)
    verbose = subprocess.run([sys.executable, "-m", "sipgate_basic", "--verbose", "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, cwd=str(tmp_path), env=env, timeout=60)
    assert command.endswith("python3 -m sipgate_basic --verbose --json")
    output = re.sub(r"< Date: .*", "< Date: DATE", normalise(verbose.stdout))
    assert output == expected
