"""The README says exactly what the program does: its code, tables and outputs are real.

Each marked block (`<!-- name -->` and the fenced block or table after it)
is compared with what the program, run for real, prints or holds; the
learner's path is pasted into bash, in order, in a copy of this folder.
"""

import ast
import collections
import doctest
import inspect
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, clean_environment, closed_port, env_for
from fake_proxy import FakeProxy
from fake_sipgate import (ACCESS_TOKENS, DEMO_ACCESS_TOKEN, DEMO_TOKEN, DEMO_TOKEN_ID,
                          NO_SCOPE_TOKEN, NO_SCOPE_TOKEN_ID, TOKENS)
from sipgate_basic import cli, envfile
from sipgate_basic.defaults import (DEFAULT_TIMEOUT, MAX_BASE_URL, MAX_BODY, MAX_NESTING,
                                    MAX_SECRET, MAX_TIMEOUT)
from sipgate_basic.defaults import DEFAULT_BASE_URL
from sipgate_basic.errors import EXIT_CODES, WRITE_ERROR
from sipgate_basic.guards import limits, masking

with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as _readme:
    README = _readme.read()

# ```python blocks whose first line names a file: "# sipgate_basic/auth.py"
QUOTES = re.findall(r"```python\n# (sipgate_basic/\w+\.py)\n(.*?)```", README, re.S)


def marked_block(marker):
    """The fenced block or table right after <!-- marker -->, dedented."""
    match = re.search(r"<!-- %s -->\n( *)(?:```\w*\n(.*?)\n\1```|(\|.*?)\n\n)" % marker,
                      README, re.S)
    assert match, marker
    indent = match.group(1)
    if match.group(2) is None:
        return match.group(3) + "\n"
    return "\n".join(line[len(indent):] if line.startswith(indent) else line
                     for line in match.group(2).split("\n")) + "\n"


def table_rows(marker):
    """The cells of each row of the table after <!-- marker -->, header and rule left out."""
    rows = [line.strip().strip("|").split("|") for line in marked_block(marker).splitlines()]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def normalise(text):
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    return re.sub(r"< Date: .*", "< Date: DATE", text)


def run_cli(args, env, cwd, stderr=subprocess.STDOUT):
    return subprocess.run([sys.executable, "-m", "sipgate_basic"] + list(args), env=env,
                          cwd=str(cwd), stdout=subprocess.PIPE, stderr=stderr,
                          universal_newlines=True, timeout=60)


# --- Code and tables -----------------------------------------------------------

def test_how_it_works_quotes_whole_functions_word_for_word():
    # Each quote is a whole function, its def line to its end, as the code has it.
    names = []
    for path, quoted in QUOTES:
        with open(os.path.join(ROOT, path), encoding="utf-8") as source:
            code = source.read()
        name = re.match(r"def (\w+)\(", quoted).group(1)
        # The function: its def line, then every line indented or blank (no
        # end_lineno before Python 3.8), less the blank lines at its end.
        whole = re.search(r"^def %s\(.*\n(?:(?:[ \t].*)?\n)*" % name, code, re.M).group()
        assert quoted == whole.rstrip("\n") + "\n", "README's %s is not the code's" % name
        names.append(name)
    assert "basic_auth_header" in names and "fetch_account" in names
    assert sum(len(quoted.splitlines()) for _, quoted in QUOTES) <= 150


def test_how_it_works_comes_among_the_first_three_sections():
    sections = re.findall(r"^## (.*)", README, re.M)
    assert sections.index("How It Works") < 3
    assert sections[:3] == ["Try it: two commands", "Learn from it", "How It Works"]


def test_exit_code_table_matches_the_program():
    rows = [(int(code), meaning) for code, meaning in table_rows("exit-codes")]
    assert rows == list(EXIT_CODES)


def test_options_table_matches_the_program():
    rows = table_rows("options")
    flags = set()
    for flag_cell, _ in rows:
        flags.update(re.findall(r"`(-[-\w]+)", flag_cell))
    assert flags == set(cli.VALUE_FLAGS) | set(cli.SWITCHES)
    text = dict((row[0], row[1]) for row in rows)
    assert "default %g, at most %g" % (DEFAULT_TIMEOUT, MAX_TIMEOUT) in text["`--timeout SECONDS`"]
    assert "default `%s`" % DEFAULT_BASE_URL in text["`--base-url URL`"]
    for flag in flags:  # each has its own line under "options:" in --help
        assert re.search(r"^  (-\w, )?%s\b" % re.escape(flag), cli.HELP, re.M), flag


def scopes_in_words(scopes):
    return ", ".join("`%s`" % scope for scope in scopes) if scopes else "none (gives 403)"


def test_demo_credentials_and_their_scopes_match_the_fake():
    rows = table_rows("demo-credentials")
    expected = [["`%s`" % token_id, "`%s`" % token, scopes_in_words(scopes)]
                for token_id, (token, scopes) in sorted(TOKENS.items())]
    expected += [["access token `%s`" % token, "", scopes_in_words(scopes)]
                 for token, scopes in sorted(ACCESS_TOKENS.items())]
    assert rows == expected


def test_the_two_commands_come_first():
    assert README.index("make demo") < README.index("## How To Use")
    assert README.index("make test") < README.index("## How To Use")


@pytest.mark.parametrize("target", ["demo", "test", "run", "bench", "zipapp", "clean"])
def test_makefile_has_the_targets_the_readme_names(target):
    with open(os.path.join(ROOT, "Makefile")) as makefile:
        assert re.search(r"^%s:" % target, makefile.read(), re.M)


def security_rows():
    """{row name: the tests its "proven by" cell names}, in the order of the table."""
    section = README[README.index("## Security"):README.index("## License")]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith(("| guarantee", "|---")):
            name, proof = re.match(r"\| \*\*(.+?)\*\* .*\| (.*) \|$", line).groups()
            rows[promise_id(name)] = set(
                re.findall(r"`(?:\w+\.py::)?(test_\w+)(?=[`\[])", proof))
    return rows


def promise_id(name):
    """A row's name as its marker has it: "No secret is printed." -> "no-secret-is-printed"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def promise_markers():
    """{promise id: the tests marked @pytest.mark.promise(id)}, read from the test files."""
    marked = collections.defaultdict(set)
    for name in sorted(os.listdir(os.path.join(ROOT, "tests"))):
        if name.startswith("test_") and name.endswith(".py"):
            with open(os.path.join(ROOT, "tests", name), encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for node in tree.body:
                for decorator in getattr(node, "decorator_list", []):
                    if (isinstance(decorator, ast.Call)
                            and ast.dump(decorator.func) == ast.dump(PROMISE_MARK)):
                        (argument,) = decorator.args
                        marked[ast.literal_eval(argument)].add(node.name)
    return marked


PROMISE_MARK = ast.parse("pytest.mark.promise", mode="eval").body


def test_each_security_row_names_exactly_the_tests_marked_for_it():
    rows, marked = security_rows(), promise_markers()
    assert len(rows) >= 14 and len(set().union(*rows.values())) >= 30
    for row, named in rows.items():
        assert named, "the row %r names no test" % row
        assert named == marked.get(row, set()), row
    assert set(marked) <= set(rows), "a marker names no row"


def code_figure(function, pattern):
    """The number that `pattern`'s group finds in `function`'s source: a figure with no name."""
    (found,) = re.findall(pattern, inspect.getsource(function))
    return int(found)


# Each figure the README states: the words around it, and the code's value.
FIGURES = [
    (r"standard streams \(exit (\d+)\)", WRITE_ERROR),
    (r"over (\d+) KiB", envfile.MAX_SIZE // 1024),
    (r"body over (\d+) MiB|exactly (\d+) MiB is read", MAX_BODY // 1024 // 1024),
    (r"at most (\d+) s\b", MAX_TIMEOUT),
    (r"first (\d+) characters\. So `--json`",
     code_figure(limits.decode_account, r"text\[:(\d+)\]")),
    (r"pointed \(its first (\d+) characters\)",
     code_figure(masking.shown_location, r"\)\[:(\d+)\]")),
    (r"Each of at least (\d+) characters is masked", masking.MIN_HIDDEN),
    (r"over (\d+) characters is refused", MAX_SECRET),
    (r"more than (\d+) digits", code_figure(limits.whole_number, r"len\(text\) > (\d+)")),
    (r"nested more than (\d+) deep", MAX_NESTING),
    (r"base URL over (\d+) characters", MAX_BASE_URL),
]


@pytest.mark.parametrize("pattern,value", FIGURES, ids=[
    "exit 23", "256 KiB", "1 MiB", "600 s", "60 characters", "200 characters", "8 characters",
    "8192 characters", "4300 digits", "100 deep", "2048 characters"])
def test_each_figure_in_the_readme_is_the_codes(pattern, value):
    found = [int(next(g for g in m.groups() if g)) for m in re.finditer(pattern, README)]
    assert found, "README no longer states it: %s" % pattern
    assert set(found) == {value}


# --- Outputs ----------------------------------------------------------------------

def test_demo_output_is_real():
    demo = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "demo.py")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, env=clean_environment(), timeout=60)
    assert demo.returncode == 0, demo.stdout
    assert normalise(demo.stdout) == marked_block("demo-output")


def test_offline_output_is_real(tmp_path):
    command, expected = marked_block("offline-output").split("\n", 1)
    assignments = re.findall(r"(\w+)=(\S+)", command.split("python3")[0])
    offline = run_cli(["--offline"], clean_environment(**dict(assignments)), tmp_path,
                      stderr=subprocess.DEVNULL)
    assert command.endswith("python3 -m sipgate_basic --offline 2>/dev/null")
    assert offline.stdout == expected


def test_import_example_runs_as_shown(fake, tmp_path, monkeypatch):
    for name, value in env_for(fake).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(marked_block("import-example"), {}, "README",
                                               "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert tuple(runner.summarize(verbose=False)) == (0, 6)
    assert len(fake.requests) == 1


def test_by_hand_base64_is_the_header_the_client_builds():
    command, output = marked_block("by-hand").splitlines()[:2]
    assert command.startswith("$ ")
    done = subprocess.run(["bash", "-c", command[2:]], stdout=subprocess.PIPE,
                          universal_newlines=True, timeout=30)
    assert done.stdout == output + "\n"
    from sipgate_basic.auth import basic_auth_header
    assert basic_auth_header("token-FQ1V12", "e68ead46-a7db-46cd-8a1a-44aed1e4e372") == (
        "Basic " + output)
    assert "Authorization: Basic %s" % output in README  # How It Works shows the same


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")
def test_curl_u_sends_the_header_the_client_sends(fake, run):
    curl_lines = re.findall(r"^\$ curl -u '([^']+)' -H 'Accept: application/json' (\S+)$",
                            README, re.M)
    assert curl_lines == [("token-FQ1V12:e68ead46-a7db-46cd-8a1a-44aed1e4e372",
                           DEFAULT_BASE_URL + "/account")]
    subprocess.run(["curl", "-s", "-o", os.devnull, "-u", "%s:%s" % (DEMO_TOKEN_ID, DEMO_TOKEN),
                    "-H", "Accept: application/json", fake.base_url + "/account"],
                   check=True, timeout=30)
    assert run(env=env_for(fake)).code == 0
    by_curl, by_us = (dict(seen.headers)["Authorization"] for seen in fake.requests)
    assert by_curl == by_us


# --- The learner's path, pasted as written ----------------------------------------

def learner_commands():
    start = README.index("<!-- learner-path -->")
    section = README[start:README.index("<!-- /learner-path -->")]
    return [line.strip()[2:] for line in section.splitlines() if line.strip().startswith("$ ")]


def fresh_copy(folder):
    """The files a clone has: those git tracks, and new ones it does not ignore."""
    names = subprocess.check_output(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
        universal_newlines=True).splitlines()
    for name in names:
        if os.path.isfile(os.path.join(ROOT, name)):
            target = os.path.join(folder, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(os.path.join(ROOT, name), target)


def test_learner_path_runs_as_written(tmp_path):
    commands = learner_commands()
    assert commands[0] == "make demo" and commands[1] == "python3 -m sipgate_basic --offline"
    clone, bin_folder = tmp_path / "clone", tmp_path / "bin"
    clone.mkdir()
    bin_folder.mkdir()
    fresh_copy(str(clone))
    os.symlink(sys.executable, str(bin_folder / "python3"))
    # Port 8000 is the README's; a free one here, so that a busy 8000 fails nothing.
    port = closed_port()
    script = ["cd %s" % clone]
    for number, command in enumerate(commands):
        command = command.replace("8000", str(port))
        if command.endswith("&"):
            script.append("%s > out%d 2>&1 &" % (command[:-1], number))
            script.append("for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/%d) 2>/dev/null"
                          " && break; sleep 0.1; done" % port)
        else:
            script.append("%s > out%d 2>&1; echo $? > rc%d" % (command, number, number))
    env = {"PATH": "%s:%s" % (bin_folder, os.environ["PATH"]), "HOME": str(tmp_path),
           "LANG": "C.UTF-8"}
    subprocess.run(["bash", "-c", "\n".join(script)], env=env, timeout=120, check=True)

    def output(number):
        with open(str(clone / ("out%d" % number)), encoding="utf-8") as out:
            return out.read()

    for number, command in enumerate(commands):
        if not command.endswith("&"):
            with open(str(clone / ("rc%d" % number))) as rc:
                assert rc.read() == "0\n", (command, output(number))
    assert output(1) == marked_block("offline-unfilled-output")
    verbose = [n for n, c in enumerate(commands) if c.endswith("--verbose --json")]
    assert len(verbose) == 1
    assert normalise(output(verbose[0]).replace(":%d" % port, ":PORT")) == \
        marked_block("verbose-output")
    assert output(len(commands) - 1) == marked_block("by-hand").splitlines()[1] + "\n"


# --- Common Issues: each row is what the program says, with its exit code -------

def common_issue_runs(fake, tls_fake, tmp_path):
    """For each row's "what you see": (arguments, environment) that make it happen."""
    wrong = "0a1b2c3d-0000-4000-8000-000000000000"
    env_example = tmp_path / "example.env"
    shutil.copy(os.path.join(ROOT, ".env.example"), str(env_example))
    return {
        "`HTTP 401 Unauthorized`": ([], env_for(fake, SIPGATE_TOKEN=wrong)),
        "`HTTP 401 Unauthorized` (with `SIPGATE_ACCESS_TOKEN`)": (
            [], {"SIPGATE_BASE_URL": fake.base_url, "SIPGATE_ACCESS_TOKEN": "wrong-token"}),
        "`HTTP 403 Forbidden`": ([], env_for(fake, SIPGATE_TOKEN_ID=NO_SCOPE_TOKEN_ID,
                                             SIPGATE_TOKEN=NO_SCOPE_TOKEN)),
        "`HTTP 404 Not Found`": ([], env_for(fake, SIPGATE_BASE_URL=fake.base_url + "/v3")),
        "`HTTP 405 Method Not Allowed`": ([], env_for(fake)),
        "`HTTP 500 Internal Server Error` (any 5xx)": ([], env_for(fake)),
        "`does not look like a token ID` (after a 401)": (
            [], env_for(fake, SIPGATE_TOKEN_ID="me@example")),
        "`does not look like a Personal Access Token` (after a 401)": (
            [], env_for(fake, SIPGATE_TOKEN="pasted-something")),
        "`still holds the placeholder`": (["--env-file", str(env_example)],
                                          {"SIPGATE_BASE_URL": fake.base_url}),
        "`no credentials`": ([], {"SIPGATE_BASE_URL": fake.base_url}),
        "`could not be verified`": ([], env_for(tls_fake)),
        "`timed out after`": (["--timeout", "0.5"], env_for(fake)),
    }


STATUS_OF_ROW = {"`HTTP 500 Internal Server Error` (any 5xx)": 500}  # forced: fake.mode "status"


def test_common_issues_table_is_what_the_program_says(fake, tls_fake, tmp_path):
    runs = common_issue_runs(fake, tls_fake, tmp_path)
    rows = table_rows("common-issues")
    assert [row[0] for row in rows] == list(runs)
    for seen, cause, code in rows:
        args, env = runs[seen]
        fake.mode, fake.status = "normal", None
        if seen in STATUS_OF_ROW:
            fake.mode, fake.status = "status", STATUS_OF_ROW[seen]
        if seen == "`timed out after`":
            fake.mode = "silent"
        if seen == "`HTTP 405 Method Not Allowed`":  # the fake's POST-only route, for real
            env = dict(env, SIPGATE_BASE_URL=fake.base_url + "/sessions/sms")
        result = run_cli(args, clean_environment(**env), tmp_path, stderr=subprocess.PIPE)
        said = re.match(r"`([^`]*)`", seen).group(1)
        assert said in result.stderr, (seen, result.stderr)
        assert result.returncode == int(code), (seen, result.stderr)
        if said.startswith("HTTP "):  # the likely cause is the program's own words
            assert result.stderr == "sipgate_basic: %s: %s\n" % (said, cause), seen


# --- Behind a proxy: the route line and the real messages -------------------------

def test_proxy_route_line_is_real(tls_fake, tmp_path):
    with FakeProxy(user="alice", password="proxy-password") as proxy:
        env = env_for(tls_fake, HTTPS_PROXY="http://alice:proxy-password@127.0.0.1:%d"
                      % proxy.port)
        result = run_cli(["--offline"], clean_environment(**env), tmp_path,
                         stderr=subprocess.PIPE)
    assert normalise(result.stderr) == marked_block("proxy-route")


def test_proxy_messages_are_real(tls_fake, tmp_path):
    """Each row, made to happen with the default base URL: the proxy never lets us out."""
    route = {"api.sipgate.com:443": ("127.0.0.1", tls_fake.port)}
    setups = [
        (dict(user="alice", password="pw"), "http://127.0.0.1:{port}"),
        (dict(user="alice", password="pw"), "http://alice:wrong@127.0.0.1:{port}"),
        (dict(mode="refuse", status=403), "http://127.0.0.1:{port}"),
        (None, "http://127.0.0.1:%d" % closed_port()),
        (None, "http:/127.0.0.1:3128"),
    ]
    rows = table_rows("proxy-messages")
    assert len(rows) == len(setups)
    for (setup, value), (seen, _) in zip(setups, rows):
        with FakeProxy(routes=route, **(setup or {})) as proxy:
            env = {"SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN,
                   "HTTPS_PROXY": value.format(port=proxy.port)}
            result = run_cli(["--cacert", os.path.join(ROOT, "tests", "tls", "ca.pem")],
                             clean_environment(**env), tmp_path, stderr=subprocess.PIPE)
        assert "`%s`" % normalise(result.stderr.rstrip("\n")) == seen
        assert result.returncode == (2 if value.startswith("http:/1") else 5)


def test_proxy_interception_message_is_real(tls_fake, tmp_path):
    route = {"api.sipgate.com:443": ("127.0.0.1", tls_fake.port)}
    with FakeProxy(mode="intercept", routes=route) as proxy:
        env = {"SIPGATE_ACCESS_TOKEN": DEMO_ACCESS_TOKEN, "HTTPS_PROXY": proxy.url}
        result = run_cli([], clean_environment(**env), tmp_path, stderr=subprocess.PIPE)
    assert result.returncode == 5
    expected = marked_block("proxy-interception")
    if sys.version_info < (3, 7):  # no verify_message yet: OpenSSL's reason is not known
        expected = expected.replace("(unable to get local issuer certificate)", "(not trusted)")
    assert normalise(result.stderr) == expected
    assert tls_fake.requests == []
