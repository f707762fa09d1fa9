"""`make zipapp`: one reproducible file that behaves exactly like the folder.

The archive is built once per test session (tests/build_zipapp.py, into a
temporary folder) and then run for real, in a subprocess, against the fake
sipgate: beside `python -m sipgate_basic` to compare the two, and on every
interpreter the portability tests find (and PyPy, when `pypy3` is
installed), with `-S -E` and with `-I`, from a read-only folder.
"""

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

import pytest

from conftest import HERE, ROOT, assert_no_secret, clean_environment, closed_port, env_for
from fake_sipgate import DEMO_TOKEN_ID
from test_hostile import STALLING_IMPORTS, ctrl_c_during_the_imports
from test_portability import skip_if_run_elsewhere
from sipgate_basic import __version__
from sipgate_basic.errors import INTERRUPTED

BUILD = os.path.join(HERE, "build_zipapp.py")


def interpreters():
    """[(test id, path or None)]: where the .pyz must run: every Python the
    portability tests find (by path, PyPy included), and pypy3 as a case
    that skips when it is absent."""
    from test_portability import INTERPRETERS
    found = [(one.id, one.path) for one in INTERPRETERS]
    if not any(one.implementation == "PyPy" for one in INTERPRETERS):
        found.append(("pypy3", shutil.which("pypy3")))
    return found


def tracked_package_sources():
    listed = subprocess.check_output(["git", "-C", ROOT, "ls-files", "-z", "--", "sipgate_basic"])
    return sorted(name for name in listed.decode("utf-8").split("\0") if name.endswith(".py"))


def build(output, root=ROOT, env=None):
    """Run the build, in the folder of `output`."""
    return subprocess.run([sys.executable, BUILD, "--output", str(output), "--root", str(root)],
                          cwd=os.path.dirname(str(output)), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, env=env, timeout=60)


def in_a_git_checkout():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--git-dir"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=30).returncode == 0
    except OSError:
        return False


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(path of the .pyz, what the build printed), built once per session."""
    if not in_a_git_checkout():
        if os.environ.get("CI"):
            pytest.fail("CI runs outside a git checkout: the .pyz cannot be built and "
                        "goes untested")
        pytest.skip("the .pyz is built from what git tracks, and this is no git checkout")
    path = str(tmp_path_factory.mktemp("dist") / "sipgate_basic.pyz")
    done = build(path)
    assert done.returncode == 0, done.stderr
    return path, done.stdout


@pytest.fixture(scope="session")
def pyz(built):
    return built[0]


@pytest.fixture(scope="session")
def read_only_pyz(pyz, tmp_path_factory):
    """The .pyz alone in a folder nobody may write to."""
    folder = str(tmp_path_factory.mktemp("read-only"))
    path = os.path.join(folder, "sipgate_basic.pyz")
    shutil.copy(pyz, path)
    os.chmod(path, 0o555)
    os.chmod(folder, 0o555)
    yield path
    os.chmod(folder, 0o755)


def run_pyz(pyz, *args, **kwargs):
    """Run `python [flags] PYZ args` with no PYTHONPATH; checked like every CLI run."""
    python = kwargs.pop("python", sys.executable)
    flags = kwargs.pop("flags", [])
    env = clean_environment(**kwargs.pop("env", {}))
    del env["PYTHONPATH"]  # the archive alone, not this checkout
    completed = subprocess.run([python] + flags + [pyz] + list(args), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=60, **kwargs)
    assert_no_secret(completed.stdout + completed.stderr)
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed


def snapshot(folder):
    return sorted((name, os.stat(os.path.join(folder, name)).st_mtime_ns)
                  for name in os.listdir(folder))


# --- The build -----------------------------------------------------------------

def test_the_build_prints_the_sha256_and_writes_it_beside_the_file(built):
    path, printed = built
    with open(path, "rb") as archive:
        digest = hashlib.sha256(archive.read()).hexdigest()
    assert printed.split("\n")[0] == "%s  sipgate_basic.pyz" % digest
    with open(path + ".sha256") as checksum:
        assert checksum.read() == "%s  sipgate_basic.pyz\n" % digest
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "sipgate_basic.pyz.sha256"],
                               cwd=os.path.dirname(path), stdout=subprocess.PIPE,
                               universal_newlines=True)
        assert (check.returncode, check.stdout) == (0, "sipgate_basic.pyz: OK\n")


def test_only_the_tracked_source_goes_in_with_fixed_dates_and_modes(pyz):
    with open(pyz, "rb") as archive:
        assert archive.readline() == b"#!/usr/bin/env python3\n"
    sources = tracked_package_sources()
    folders = sorted(set(name.rsplit("/", 1)[0] + "/" for name in sources))
    with zipfile.ZipFile(pyz) as archive:
        entries = archive.infolist()
        names = [entry.filename for entry in entries]
        assert names == sorted(["__main__.py"] + folders + sources)
        for entry in entries:
            assert entry.date_time == (1980, 1, 1, 0, 0, 0)
            assert entry.compress_type == zipfile.ZIP_STORED
            folder = entry.filename.endswith("/")
            assert entry.external_attr >> 16 == (0o40755 if folder else 0o100644)
        for name in sources:
            with open(os.path.join(ROOT, name), "rb") as source:
                assert archive.read(name) == source.read(), name


@pytest.fixture
def elsewhere(tmp_path):
    """An empty folder, on a tmpfs if there is one: it lists files newest first.

    ext4 lists a folder in the order of its names' hashes, whatever order
    they were written in; a tmpfs lists them newest first. So a copy there
    is listed in another order than this checkout is.
    """
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        folder = tempfile.mkdtemp(prefix="sipgate-zipapp-", dir="/dev/shm")
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield str(tmp_path)


def test_two_builds_give_the_same_bytes_whatever_the_times_order_and_strays(pyz, elsewhere,
                                                                             tmp_path):
    # A second checkout of the same tracked source, its files written in
    # another order and listed in another, with other times and modes, and
    # files git does not track beside them.
    copy = os.path.join(elsewhere, "checkout")
    sources = tracked_package_sources()
    # Written in the order this checkout lists them: a tmpfs lists them reversed.
    as_listed = [os.path.relpath(os.path.join(folder, name), ROOT).replace(os.sep, "/")
                 for folder, _, names in os.walk(os.path.join(ROOT, "sipgate_basic"))
                 for name in names]
    for number, name in enumerate(name for name in as_listed if name in sources):
        target = os.path.join(copy, *name.split("/"))
        if not os.path.isdir(os.path.dirname(target)):
            os.makedirs(os.path.dirname(target))
        shutil.copyfile(os.path.join(ROOT, name), target)
        os.utime(target, (1234567890 + number * 3601, 1234567890 + number * 3601))
        os.chmod(target, 0o600 if number % 2 else 0o755)
    subprocess.check_call(["git", "init", "-q", copy])
    subprocess.check_call(["git", "-C", copy, "add", "--"] + sources)
    strays = os.path.join(copy, "sipgate_basic", "__pycache__")
    os.mkdir(strays)
    with open(os.path.join(strays, "cli.cpython-311.pyc"), "wb") as stray:
        stray.write(b"stale")
    with open(os.path.join(copy, "sipgate_basic", "untracked.py"), "w") as stray:
        stray.write("raise SystemExit('untracked')\n")
    listed = [name for name in os.listdir(os.path.join(copy, "sipgate_basic"))
              if name.endswith(".py") and name != "untracked.py"]
    if elsewhere.startswith("/dev/shm"):
        assert listed != [name for name in os.listdir(os.path.join(ROOT, "sipgate_basic"))
                          if name.endswith(".py")]
    second = str(tmp_path / "second.pyz")
    done = build(second, root=copy)
    assert done.returncode == 0, done.stderr
    with open(pyz, "rb") as first, open(second, "rb") as again:
        assert first.read() == again.read()


def test_without_git_the_build_stops_and_says_why(tmp_path):
    outside = build(tmp_path / "x.pyz", root=tmp_path)
    assert outside.returncode == 1
    assert re.match(r"build_zipapp: .* is not a git checkout \(git ls-files: .*\); the "
                    r"archive is built only from the files git tracks\n$", outside.stderr)
    no_git = build(tmp_path / "x.pyz", env={"PATH": str(tmp_path)})
    assert no_git.returncode == 1
    assert no_git.stderr.startswith("build_zipapp: git is needed to know which files are the "
                                    "package's tracked source, and it cannot be run")
    assert not os.path.exists(str(tmp_path / "x.pyz"))


def test_a_folder_as_output_is_a_one_line_error_and_leaves_nothing(tmp_path):
    for output in (str(tmp_path) + os.sep, str(tmp_path)):
        done = build(output)
        assert (done.returncode, done.stderr) == (2, "build_zipapp: --output %s is a folder; "
                                                  "name the file, e.g. %s\n" % (
                                                      output, tmp_path / "sipgate_basic.pyz"))
        assert os.listdir(str(tmp_path)) == []


def test_a_checkout_git_refuses_is_named_in_one_line(tmp_path):
    # git's own text, from a clone another user owns, runs to four lines.
    (tmp_path / "git").write_text(
        "#!/bin/sh\nprintf \"fatal: detected dubious ownership in repository at '/x'\\n"
        "To add an exception for this directory, call:\\n\\n"
        "\\tgit config --global --add safe.directory /x\\n\" >&2\nexit 128\n")
    os.chmod(str(tmp_path / "git"), 0o755)
    refused = build(tmp_path / "x.pyz", env={"PATH": str(tmp_path)})
    assert (refused.returncode, refused.stderr) == (1, (
        "build_zipapp: git refuses this checkout (dubious ownership: another user owns it): "
        "run git config --global --add safe.directory %s\n" % ROOT))


def git(folder, *args):
    subprocess.check_call(["git", "-C", str(folder), "-c", "user.name=test", "-c",
                           "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
                          + list(args), stdout=subprocess.DEVNULL)


@pytest.fixture
def commit(tmp_path):
    """A new repository whose one commit holds the package and this build script, as here."""
    folder = tmp_path / "commit"
    names = tracked_package_sources() + ["tests/build_zipapp.py"]
    for name in names:
        target = folder.joinpath(*name.split("/"))
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True)
        shutil.copyfile(os.path.join(ROOT, name), str(target))
    git(folder.parent, "init", "-q", str(folder))
    git(folder, "add", "--", *names)
    git(folder, "commit", "-q", "-m", "as here")
    return folder


def build_in(commit, output):
    """Build `commit` with its own copy of this build script."""
    return subprocess.run([sys.executable, str(commit / "tests" / "build_zipapp.py"),
                           "--output", str(output), "--root", str(commit)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60)


def read(path):
    with open(str(path), "rb") as opened:
        return opened.read()


def test_a_crlf_checkout_builds_its_commits_bytes_and_an_edit_says_so(pyz, commit, tmp_path):
    first = build_in(commit, tmp_path / "lf.pyz")
    assert first.returncode == 0 and "uncommitted" not in first.stdout, first.stderr
    assert read(tmp_path / "lf.pyz") == read(pyz)  # the same files, from HEAD's blobs
    # Checked out again as Git for Windows does by default: CRLF, and git sees no change.
    git(commit, "config", "core.autocrlf", "true")
    shutil.rmtree(str(commit / "sipgate_basic"))
    os.remove(str(commit / "tests" / "build_zipapp.py"))
    git(commit, "checkout", "--", ".")
    assert b"\r\n" in read(commit / "sipgate_basic" / "cli.py")
    assert subprocess.check_output(["git", "-C", str(commit), "status", "--porcelain"]) == b""
    again = build_in(commit, tmp_path / "crlf.pyz")
    assert again.returncode == 0 and "uncommitted" not in again.stdout, again.stderr
    assert read(tmp_path / "crlf.pyz") == read(tmp_path / "lf.pyz")
    with open(str(commit / "sipgate_basic" / "cli.py"), "ab") as edited:
        edited.write(b"# edited\r\n")
    edited = build_in(commit, tmp_path / "edited.pyz")
    assert edited.returncode == 0, edited.stderr
    assert "; built from uncommitted changes to sipgate_basic/cli.py)" in edited.stdout
    assert read(tmp_path / "edited.pyz") != read(tmp_path / "lf.pyz")


def test_edits_git_status_misses_still_say_uncommitted(commit, tmp_path):
    with open(str(commit / "tests" / "build_zipapp.py"), "a") as script:
        script.write("# edited: its bytes are in the archive too\n")
    done = build_in(commit, tmp_path / "a.pyz")
    assert "; built from uncommitted changes to tests/build_zipapp.py)" in done.stdout
    git(commit, "checkout", "--", "tests")
    git(commit, "update-index", "--assume-unchanged", "sipgate_basic/cli.py")
    with open(str(commit / "sipgate_basic" / "cli.py"), "a") as hidden:
        hidden.write("# edited\n")
    assert subprocess.call(["git", "-C", str(commit), "diff", "--quiet", "HEAD"]) == 0
    done = build_in(commit, tmp_path / "b.pyz")
    assert "; built from uncommitted changes to sipgate_basic/cli.py)" in done.stdout


def test_untracked_files_are_named_and_an_archive_that_cannot_start_is_not_written(commit,
                                                                                 tmp_path):
    (commit / "sipgate_basic" / "extra.py").write_text("VALUE = 1\n")
    done = build_in(commit, tmp_path / "a.pyz")
    assert (done.returncode, done.stderr) == (
        0, "build_zipapp: left out, as git does not track them: sipgate_basic/extra.py\n")
    with open(str(commit / "sipgate_basic" / "__init__.py"), "a") as imports:
        imports.write("from . import extra\n")  # tracked code needing the untracked file
    broken = build_in(commit, tmp_path / "b.pyz")
    assert broken.returncode == 1
    assert re.match(r"build_zipapp: the built archive does not run: python -S -E ARCHIVE "
                    r"--version exited 1 \(.*ImportError: .*'extra'.*\); "
                    r"nothing written\n$", broken.stderr), broken.stderr
    assert sorted(os.listdir(str(tmp_path))) == ["a.pyz", "a.pyz.sha256", "commit"]


def test_the_readme_shows_what_the_build_and_the_file_print(built):
    from test_readme import marked_block
    shown = marked_block("zipapp").split("\n")
    printed = re.sub(r"; built from uncommitted changes to [^)]*", "", built[1])
    # Built into dist/ by `make zipapp` rather than into the folder it ran in:
    printed = re.sub(r"^[0-9a-f]{64}", "<SHA-256>", printed.replace(
        "sipgate_basic.pyz", "dist/sipgate_basic.pyz"))
    assert shown[0] == "$ make zipapp"
    assert shown[1:3] == printed.split("\n")[:2]
    assert shown[6] == "host$ python3 sipgate_basic.pyz --version"
    assert shown[7] == "sipgate_basic %s (zipapp /home/you/sipgate_basic.pyz)" % __version__


# --- The same program as the folder ----------------------------------------------

def test_it_runs_directly_and_says_it_is_a_zipapp(pyz, tmp_path):
    env = clean_environment()
    del env["PYTHONPATH"]
    completed = subprocess.run([pyz, "--version"], cwd=str(tmp_path), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=60)
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        0, "sipgate_basic %s (zipapp %s)\n" % (__version__, pyz), "")


def normalise(text):
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    return re.sub(r"< Date: .*", "< Date: DATE", text)


CASES = {
    "200 --verbose": (["--verbose"], "demo"),
    "200 --json": (["--json"], "demo"),
    "401": ([], "wrong token"),
    "--offline": (["--offline"], "demo"),
    "--offline without credentials": (["--offline"], "nothing"),
    "configuration error": (["--env-file", "broken.env"], "demo"),
    "network failure": ([], "closed port"),
    "usage error": (["--token", "x"], "nothing"),
    "--help": (["--help"], "nothing"),
    "./.env from the working folder": ([], "dot env"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_pyz_behaves_exactly_like_the_folder(case, pyz, run, fake, tmp_path):
    args, settings = CASES[case]
    env = {"demo": env_for(fake), "wrong token": env_for(fake, SIPGATE_TOKEN="wrong"),
           "closed port": env_for(fake, SIPGATE_BASE_URL="http://127.0.0.1:%d/v2"
                                  % closed_port()),
           "nothing": {}, "dot env": {}}[settings]
    (tmp_path / "broken.env").write_text("SIPGATE_TOKEN='unterminated\n")
    if settings == "dot env":
        (tmp_path / ".env").write_text("".join("%s=%s\n" % item
                                               for item in sorted(env_for(fake).items())))
    folder = run(*args, env=env, cwd=str(tmp_path))
    archive = run_pyz(pyz, *args, env=env, cwd=str(tmp_path))
    assert (archive.returncode, normalise(archive.stdout), normalise(archive.stderr)) == (
        folder.code, normalise(folder.out), normalise(folder.err))
    expected = {"200 --verbose": 0, "200 --json": 0, "401": 3, "--offline": 0,
                "--offline without credentials": 0, "configuration error": 2,
                "network failure": 5, "usage error": 2, "--help": 0,
                "./.env from the working folder": 0}[case]
    assert archive.returncode == expected, archive.stderr


SLOW_IMPORT = STALLING_IMPORTS + """
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")  # as `python PYZ` runs it
"""


def test_ctrl_c_during_the_imports_ends_at_once_from_the_pyz(pyz, fake, tmp_path):
    env = clean_environment(**env_for(fake))
    del env["PYTHONPATH"]
    code, out, err, seconds = ctrl_c_during_the_imports(
        [sys.executable, "-c", SLOW_IMPORT, pyz], env, str(tmp_path))
    assert code == INTERRUPTED, err
    assert seconds < 2, "Ctrl-C was lost and the program went on"
    assert err == "sipgate_basic: interrupted\n"
    assert out == "" and fake.requests == []


# --- Everywhere the folder runs ----------------------------------------------------

MODES = {"-S -E": ["-S", "-E"], "-I": ["-I"]}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("name, python", [pytest.param(name, path, id=name)
                                          for name, path in interpreters()])
def test_the_pyz_runs_on_every_interpreter_here(name, python, mode, read_only_pyz, fake,
                                                tmp_path):
    skip_if_run_elsewhere()
    if python is None:
        pytest.skip("%s is not installed (Debian: apt-get install pypy3)" % name)
    folder = os.path.dirname(read_only_pyz)
    before = snapshot(folder)
    broken = tmp_path / "broken.env"
    broken.write_text("SIPGATE_TOKEN='unterminated\n")

    def run(*args, **env):
        return run_pyz(read_only_pyz, *args, python=python, flags=MODES[mode], env=env,
                       cwd=folder)

    ok = run("--verbose", **env_for(fake))
    assert (ok.returncode, ok.stdout.split("\n")[0]) == (0, "Status: 200"), ok.stderr
    assert "> Authorization: Basic <hidden: Base64 of token-DEMO01:...afa6>" in ok.stderr
    rejected = run(**env_for(fake, SIPGATE_TOKEN="wrong"))
    assert rejected.returncode == 3
    assert rejected.stderr.startswith("sipgate_basic: HTTP 401 Unauthorized")
    offline = run("--offline", **env_for(fake))
    assert offline.returncode == 0
    assert offline.stdout.startswith("GET /v2/account HTTP/1.1\n")
    assert len(fake.requests) == 2
    refused = run("--env-file", str(broken), SIPGATE_TOKEN_ID=DEMO_TOKEN_ID)
    assert refused.returncode == 2
    assert "broken.env:1:" in refused.stderr
    unreachable = run(**env_for(fake, SIPGATE_BASE_URL="http://127.0.0.1:%d/v2" % closed_port()))
    assert unreachable.returncode == 5
    assert "refused" in unreachable.stderr
    version = run("--version")
    assert version.stdout == "sipgate_basic %s (zipapp %s)\n" % (__version__, read_only_pyz)
    assert snapshot(folder) == before, "the .pyz wrote next to itself"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o555
    if mode == "-S -E":  # once per interpreter: it builds the very same bytes
        again = str(tmp_path / "again.pyz")
        done = subprocess.run([python, "-S", "-E", BUILD, "--output", again, "--root", ROOT],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60)
        assert done.returncode == 0, done.stderr
        with open(read_only_pyz, "rb") as first, open(again, "rb") as second:
            assert first.read() == second.read(), "%s builds other bytes" % name


@pytest.mark.parametrize("listed", [b"sipgate_basic/\xe9.py\0", b"sipgate_basic/a\nb.py\0"],
                         ids=["not UTF-8", "a line end"])
def test_a_tracked_name_no_archive_should_hold_is_one_line_not_a_traceback(listed):
    import build_zipapp
    with pytest.raises(build_zipapp.BuildError, match="^git tracks a file whose name"):
        build_zipapp.names_in(listed)
    assert build_zipapp.names_in(b"sipgate_basic/a.py\0sipgate_basic/b.py\0") == [
        "sipgate_basic/a.py", "sipgate_basic/b.py"]
