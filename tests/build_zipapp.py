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

Only what git tracks goes in: no __pycache__, no untracked file. Without
git, or outside a git checkout, the build stops with a message rather than
guess which files belong.

Standard library only; runs on Python 3.6 and newer.
"""

import argparse
import hashlib
import io
import os
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PACKAGE = "sipgate_basic"
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


def tracked_sources(root):
    """The .py files git tracks under sipgate_basic/, as sorted archive names."""
    try:
        listed = subprocess.run(["git", "-C", root, "ls-files", "-z", "--", PACKAGE],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        raise BuildError("git is needed to know which files are the package's tracked "
                         "source, and it cannot be run (%s)" % (error.strerror or error))
    if listed.returncode != 0:
        said = listed.stderr.decode("utf-8", "replace")
        if "dubious ownership" in said:  # git's own text runs to four lines
            raise BuildError("git refuses this checkout (dubious ownership: another user "
                             "owns it): run git config --global --add safe.directory %s"
                             % os.path.abspath(root))
        raise BuildError("%s is not a git checkout (git ls-files: %s); the archive is built "
                         "only from the files git tracks" % (root, said.strip().split("\n")[0]))
    names = [name for name in listed.stdout.decode("utf-8").split("\0")
             if name.endswith(".py") and "__pycache__" not in name.split("/")]
    if PACKAGE + "/__init__.py" not in names or PACKAGE + "/__main__.py" not in names:
        raise BuildError("git tracks no %s/__init__.py and __main__.py under %s"
                         % (PACKAGE, root))
    return sorted(names)


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


def archive_bytes(root):
    """The whole .pyz: the shebang line, then the zip."""
    names = tracked_sources(root)
    contents = {"__main__.py": ROOT_MAIN}
    for name in names:
        path = os.path.join(root, *name.split("/"))
        try:
            with open(path, "rb") as source:
                contents[name] = source.read()
        except OSError as error:
            raise BuildError("git tracks %s, but it cannot be read: %s"
                             % (name, error.strerror or error))
    for folder in folders_of(names):
        contents[folder] = b""
    buffer = io.BytesIO()
    buffer.write(SHEBANG)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(contents):
            archive.writestr(entry(name, FOLDER_MODE if name.endswith("/") else FILE_MODE),
                             contents[name])
    return buffer.getvalue()


def uncommitted(root):
    """True if the tracked source differs from the commit checked out."""
    return subprocess.run(["git", "-C", root, "diff", "--quiet", "HEAD", "--", PACKAGE],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0


def build(root, output):
    data = archive_bytes(root)
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    # Written whole, then renamed into place: never half a file under the name.
    temporary = output + ".partial"
    with open(temporary, "wb") as archive:
        archive.write(data)
    os.chmod(temporary, 0o755)  # the shebang line lets it run as ./sipgate_basic.pyz
    os.replace(temporary, output)
    digest = hashlib.sha256(data).hexdigest()
    with open(output + ".sha256", "w") as checksum:
        checksum.write("%s  %s\n" % (digest, os.path.basename(output)))
    return digest


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
        digest = build(args.root, args.output)
        note = uncommitted(args.root)
    except BuildError as error:
        print("build_zipapp: %s" % error, file=sys.stderr)
        return 1
    shown = shown_path(args.output)
    print("%s  %s" % (digest, shown))
    print("(SHA-256, also in %s.sha256: publish it with the file%s)"
          % (shown, "; built from uncommitted changes to %s/" % PACKAGE if note else ""))
    return 0


def shown_path(path):
    """`path` relative to the working folder if it lies inside it, else absolute."""
    relative = os.path.relpath(path)
    return os.path.abspath(path) if relative.startswith(os.pardir) else relative


if __name__ == "__main__":
    sys.exit(main())
