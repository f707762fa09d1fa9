"""`make zipapp`: the package as one reproducible file, dist/sipgate_basic.pyz.

    python3 tests/build_zipapp.py [--output PATH] [--root FOLDER]

Writes a zip archive, behind a `#!/usr/bin/env python3` line, that holds
the `.py` files git tracks under sipgate_basic/ (at any depth) and a root
`__main__.py` that starts the package's own `__main__`, so that
`python3 sipgate_basic.pyz ARGS` is `python3 -m sipgate_basic ARGS`.
Then it prints the file's SHA-256 and writes it beside the file, in the
form `sha256sum -c` reads.

Reproducible: the zip is written with zipfile, not zipapp (which, before
Python 3.13, adds files in the order the file system lists them and records
their times and modes): names sorted, every date 1980-01-01 00:00:00, every
mode 0644 (folders 0755), made on "Unix", stored uncompressed. So two builds
from the same tracked source give the same bytes, whatever the files'
timestamps and the file system's order, and with any Python 3.6 or newer
(stored entries do not depend on the zlib version either).

Only what git tracks goes in: no __pycache__, no untracked file (the
untracked .py files are named). If the package's files and this script hold
what HEAD holds, as git would store them, the archive is built from HEAD's
blobs, raw: a checkout's line-ending conversion (core.autocrlf) changes no
byte. Otherwise it is built from the working files, and says "built from
uncommitted changes to" the files that differ. Before it is put in place,
the archive is run once, `python -S -E ARCHIVE --version`, from an empty
folder and environment; if that fails, nothing is written. Without git, or
outside a git checkout, the build stops with a message rather than guess
which files belong.

Standard library only; runs on Python 3.6 and newer.
"""

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PACKAGE = "sipgate_basic"
SCRIPT = "tests/build_zipapp.py"  # this file: its bytes are in the archive too
SHEBANG = b"#!/usr/bin/env python3\n"
DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can record
FILE_MODE = 0o100644  # a regular file, rw-r--r--
FOLDER_MODE = 0o040755  # a folder, rwxr-xr-x
MS_DOS_DIRECTORY = 0x10

# The archive's own __main__.py, run by `python3 sipgate_basic.pyz`. The
# interpreter has imported runpy already to run this file, and runs the
# package's __main__ exactly as `python3 -m sipgate_basic` does: its Ctrl-C
# handler is the first thing it sets up.
ROOT_MAIN = b'''\
# Written by tests/build_zipapp.py: `python3 sipgate_basic.pyz` is `python3 -m sipgate_basic`.
import runpy
runpy.run_module("sipgate_basic", run_name="__main__", alter_sys=True)
'''


class BuildError(Exception):
    pass


def git(root, *args, **kwargs):
    """Run `git -C root ARGS`; its stdout and stderr as bytes."""
    try:
        return subprocess.run(["git", "-C", root] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, **kwargs)
    except OSError as error:
        raise BuildError("git is needed to know which files are the package's tracked "
                         "source, and it cannot be run (%s)" % (error.strerror or error))


def is_source(name):
    return name.endswith(".py") and "__pycache__" not in name.split("/")


def py_files(listed):
    """The .py names, outside __pycache__, in git's NUL-separated list."""
    return sorted(name for name in names_in(listed) if is_source(name))


def names_in(listed):
    """The names in git's NUL-separated list; BuildError for a name no archive should hold."""
    try:
        names = [name for name in listed.decode("utf-8").split("\0") if name]
    except UnicodeDecodeError:
        raise BuildError("git tracks a file whose name is not UTF-8 text; rename it")
    if any("\n" in name for name in names):
        raise BuildError("git tracks a file whose name holds a line end; rename it")
    return names


def tracked_sources(root):
    """The .py files git tracks under sipgate_basic/, as sorted archive names."""
    listed = git(root, "ls-files", "-z", "--", PACKAGE)
    if listed.returncode != 0:
        said = listed.stderr.decode("utf-8", "replace")
        if "dubious ownership" in said:  # git's own text runs to four lines
            raise BuildError("git refuses this checkout (dubious ownership: another user "
                             "owns it): run git config --global --add safe.directory %s"
                             % os.path.abspath(root))
        raise BuildError("%s is not a git checkout (git ls-files: %s); the archive is built "
                         "only from the files git tracks" % (root, said.strip().split("\n")[0]))
    names = py_files(listed.stdout)
    if PACKAGE + "/__init__.py" not in names or PACKAGE + "/__main__.py" not in names:
        raise BuildError("git tracks no %s/__init__.py and __main__.py under %s"
                         % (PACKAGE, root))
    return names


def committed(root):
    """{name: blob id} of HEAD's package .py files and build script ({} before a first commit)."""
    listed = git(root, "ls-tree", "-r", "-z", "HEAD", "--", PACKAGE, SCRIPT)
    lines = [line.split("\t", 1) for line in names_in(listed.stdout)]
    return {name: meta.split()[2] for meta, name in lines
            if name == SCRIPT or is_source(name)}


def uncommitted(root, names, head):
    """The names whose working file, as git would store it, is not HEAD's blob.

    `git hash-object` reads the files themselves, so this trusts neither
    `git status` (blind to --assume-unchanged) nor the raw bytes (a checkout
    with core.autocrlf=true has CRLF where the blobs have LF)."""
    present = [name for name in names if os.path.isfile(os.path.join(root, *name.split("/")))]
    hashed = git(root, "hash-object", "--stdin-paths", input="\n".join(present).encode())
    working = dict(zip(present, hashed.stdout.decode().split()))
    working[SCRIPT] = git(root, "hash-object", "--path=" + SCRIPT, "--",
                          os.path.abspath(__file__)).stdout.decode().strip()
    return sorted(name for name in set(working) | set(head)
                  if working.get(name) != head.get(name))


def blobs(root, ids):
    """{name: the blob's raw bytes, no checkout filter} for {name: blob id}."""
    names = sorted(ids)
    out = git(root, "cat-file", "--batch",
              input="".join(ids[name] + "\n" for name in names).encode()).stdout
    contents = {}
    for name in names:  # each is "<id> blob <size>\n<bytes>\n"
        header, out = out.split(b"\n", 1)
        size = int(header.split()[2])
        contents[name], out = out[:size], out[size + 1:]
    return contents


def working_files(root, names):
    """{name: the working file's bytes}, as they are, for the names git tracks."""
    contents = {}
    for name in names:
        try:
            with open(os.path.join(root, *name.split("/")), "rb") as source:
                contents[name] = source.read()
        except OSError as error:
            raise BuildError("git tracks %s, but it cannot be read: %s"
                             % (name, error.strerror or error))
    return contents


def folders_of(names):
    """Every folder holding one of `names`, as 'a/' and 'a/b/' (zipimport finds packages by them)."""
    folders = set()
    for name in names:
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folders.add("/".join(parts[:depth]) + "/")
    return folders


def entry(name, mode):
    info = zipfile.ZipInfo(name, date_time=DATE_TIME)
    info.create_system = 3  # Unix, so that the mode means the same on every platform
    info.external_attr = mode << 16
    if name.endswith("/"):
        info.external_attr |= MS_DOS_DIRECTORY
    info.compress_type = zipfile.ZIP_STORED
    return info


def archive_bytes(sources):
    """The whole .pyz for {name: bytes}: the shebang line, then the zip."""
    contents = dict(sources, **{"__main__.py": ROOT_MAIN})
    for folder in folders_of(sources):
        contents[folder] = b""
    buffer = io.BytesIO()
    buffer.write(SHEBANG)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(contents):
            archive.writestr(entry(name, FOLDER_MODE if name.endswith("/") else FILE_MODE),
                             contents[name])
    return buffer.getvalue()


def smoke_run(path):
    """Run `python -S -E PATH --version` from an empty folder and environment."""
    folder = tempfile.mkdtemp()
    try:
        ran = subprocess.run([sys.executable, "-S", "-E", path, "--version"], cwd=folder,
                             env={}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError("the built archive could not be run (%s); nothing written" % error)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if ran.returncode != 0 or not ran.stdout.startswith(PACKAGE.encode() + b" "):
        said = ran.stderr.decode("utf-8", "replace").strip().split("\n")[-1]
        raise BuildError("the built archive does not run: python -S -E ARCHIVE --version "
                         "exited %d (%s); nothing written" % (ran.returncode, said))


def build(root, output):
    """Write the archive; (its SHA-256, the uncommitted names, the untracked .py files)."""
    names = tracked_sources(root)
    head = committed(root)
    changes = uncommitted(root, names, head)
    # Unchanged, it is built from HEAD's blobs, whatever a checkout converted;
    # changed, from the working files, so that edits can be tried.
    data = archive_bytes(working_files(root, names) if changes
                         else blobs(root, dict((name, head[name]) for name in names)))
    untracked = py_files(git(root, "ls-files", "-z", "--others", "--", PACKAGE).stdout)
    # Written whole, run, then renamed into place: never half a file under the name.
    temporary = output + ".partial"
    try:
        folder = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(folder):
            os.makedirs(folder)
        with open(temporary, "wb") as archive:
            archive.write(data)
        os.chmod(temporary, 0o755)  # the shebang line lets it run as ./sipgate_basic.pyz
        smoke_run(temporary)
        os.replace(temporary, output)
        digest = hashlib.sha256(data).hexdigest()
        with open(output + ".sha256", "w") as checksum:
            checksum.write("%s  %s\n" % (digest, os.path.basename(output)))
    except OSError as error:
        raise BuildError("cannot write %s: %s" % (output, error.strerror or error))
    finally:
        if os.path.isfile(temporary):  # (a folder of that name is not ours to remove)
            os.remove(temporary)
    return digest, changes, untracked


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=os.path.join(ROOT, "dist", PACKAGE + ".pyz"),
                        help="where to write the archive (default: dist/sipgate_basic.pyz)")
    parser.add_argument("--root", default=ROOT,
                        help="the git checkout to build from (default: this one)")
    args = parser.parse_args(argv)
    if args.output.endswith(("/", os.sep)) or os.path.isdir(args.output):
        print("build_zipapp: --output %s is a folder; name the file, e.g. %s"
              % (args.output, os.path.join(args.output, PACKAGE + ".pyz")), file=sys.stderr)
        return 2
    try:
        digest, changes, untracked = build(args.root, args.output)
    except BuildError as error:
        print("build_zipapp: %s" % error, file=sys.stderr)
        return 1
    if untracked:
        print("build_zipapp: left out, as git does not track them: %s" % ", ".join(untracked),
              file=sys.stderr)
    shown = shown_path(args.output)
    print("%s  %s" % (digest, shown))
    print("(SHA-256, also in %s.sha256: publish it with the file%s)"
          % (shown, "; built from uncommitted changes to %s" % ", ".join(changes)
             if changes else ""))
    return 0


def shown_path(path):
    """`path` relative to the working folder if it lies inside it, else absolute."""
    relative = os.path.relpath(path)
    return os.path.abspath(path) if relative.startswith(os.pardir) else relative


if __name__ == "__main__":
    sys.exit(main())
