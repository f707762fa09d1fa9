"""`make bench`: speed and memory of the client against the smallest script.

End to end against the fake sipgate (in a process of its own), it runs in
pairs, in one go:

    floor  the smallest standard-library script that sends the same request
           with urllib (FLOOR below), as `python -S -E floor.py`
    ours   `python -S -E -m sipgate_basic --json`, the package copied alone
           into an empty folder
    pyz    `python -S -E sipgate_basic.pyz --json`, the one file `make zipapp`
           builds (tests/build_zipapp.py), in the same folder

and prints, over at least 21 runs of all three (in turn, each one first as
often as the others), the median of each run's ratio to the floor of wall
time and of peak memory, against the targets, then the slowest imports of
ours (`-X importtime`). Exits 1 if a target is missed.

Targets: the folder within 1.15x of the floor's wall time, 1.10x of its
memory. The .pyz gets 1.50x for wall time and the same 1.10x for memory:
zipimport caches no bytecode, so every run of the .pyz compiles the
package's source (6 to 15 ms on this project's test machine), which the
folder does once (README, "Speed and memory").

Peak memory is each command's own `ru_maxrss`. On Linux a forked child's
`ru_maxrss` starts at its parent's peak, which for this script is large;
so every command is started from a small launcher process (LAUNCHER below)
that forks, execs the command and reports its wall time and peak memory.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import build_zipapp  # noqa: E402
from fake_sipgate import DEMO_TOKEN, DEMO_TOKEN_ID  # noqa: E402

TARGETS = {"ours": {"wall time": 1.15, "peak memory": 1.10},
           "pyz": {"wall time": 1.50, "peak memory": 1.10}}

# The floor: what anyone would write to send this request with urllib.
FLOOR = """\
import base64, json, os, urllib.request
pair = os.environ["SIPGATE_TOKEN_ID"] + ":" + os.environ["SIPGATE_TOKEN"]
credentials = base64.b64encode(pair.encode("utf-8")).decode("ascii")
request = urllib.request.Request(os.environ["SIPGATE_BASE_URL"].rstrip("/") + "/account",
    headers={"Accept": "application/json", "Authorization": "Basic " + credentials})
with urllib.request.urlopen(request, timeout=10) as response:
    print(json.dumps(json.loads(response.read().decode("utf-8"))))
"""

# Runs one command; prints "<wall seconds> <peak KiB> <exit status>".
LAUNCHER = """\
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, status)
"""


def measure(python, command, env, cwd):
    """(wall seconds, peak KiB) of one run of `command`, from a small launcher."""
    out = subprocess.check_output([python, "-S", "-E", "-c", LAUNCHER] + command,
                                  env=env, cwd=cwd, universal_newlines=True)
    wall, peak, status = out.split()
    if int(status) != 0:
        raise SystemExit("bench: %s exited with status %s" % (" ".join(command), status))
    return float(wall), int(peak)


def slowest_imports(python, env, cwd, count=8):
    """The imports of ours that took longest, by their own time (-X importtime)."""
    err = subprocess.run([python, "-S", "-E", "-X", "importtime", "-m", "sipgate_basic", "--json"],
                         env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         universal_newlines=True).stderr
    rows = []
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line and "self" not in line:
            own, cumulative, name = line[len("import time:"):].split("|")
            rows.append((int(own), int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=31,
                        help="runs of floor, ours and pyz in turn (at least 21)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to measure")
    args = parser.parse_args(argv)
    if args.pairs < 21:
        parser.error("--pairs must be at least 21")

    fake = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_sipgate.py"), "--quiet"],
                            stdout=subprocess.PIPE, universal_newlines=True)
    folder = tempfile.mkdtemp(prefix="sipgate-bench-")
    try:
        base_url = fake.stdout.readline().strip()
        shutil.copytree(os.path.join(ROOT, "sipgate_basic"), os.path.join(folder, "sipgate_basic"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        with open(os.path.join(folder, "floor.py"), "w") as floor:
            floor.write(FLOOR)
        try:
            build_zipapp.build(ROOT, os.path.join(folder, "sipgate_basic.pyz"))
        except build_zipapp.BuildError as error:
            raise SystemExit("bench: cannot build the .pyz: %s" % error)
        env = {"PATH": os.environ.get("PATH", ""), "SIPGATE_BASE_URL": base_url,
               "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN}
        commands = {
            "floor": [args.python, "-S", "-E", "floor.py"],
            "ours": [args.python, "-S", "-E", "-m", "sipgate_basic", "--json"],
            "pyz": [args.python, "-S", "-E", "sipgate_basic.pyz", "--json"],
        }
        for name in commands:  # warm the file cache; compile the bytecode once
            measure(args.python, commands[name], env, folder)
        pairs = []
        names = sorted(commands)
        for i in range(args.pairs):
            order = names[i % 3:] + names[:i % 3]  # each one first in turn
            run = {name: measure(args.python, commands[name], env, folder) for name in order}
            pairs.append(run)
        imports = slowest_imports(args.python, env, folder)
    finally:
        fake.terminate()
        fake.wait(10)
        shutil.rmtree(folder, ignore_errors=True)

    version = subprocess.check_output([args.python, "-c", "import platform; "
                                       "print(platform.python_version())"],
                                      universal_newlines=True).strip()
    print("sipgate_basic against the floor: Python %s, %d paired runs, medians"
          % (version, len(pairs)))
    missed = []
    for name, label in [("ours", "the folder, -m sipgate_basic"),
                        ("pyz", "the one file, sipgate_basic.pyz")]:
        print(" %s:" % label)
        for index, (what, unit, scale) in enumerate([("wall time", "ms", 1000.0),
                                                     ("peak memory", "MiB", 1 / 1024.0)]):
            floor = statistics.median(p["floor"][index] for p in pairs) * scale
            ours = statistics.median(p[name][index] for p in pairs) * scale
            ratio = statistics.median(p[name][index] / p["floor"][index] for p in pairs)
            target = TARGETS[name][what]
            verdict = "ok" if ratio <= target else "MISSED"
            if verdict != "ok":
                missed.append(name + " " + what)
            print("  %-12s floor %7.2f %-3s  %-4s %7.2f %-3s  ratio %.3f  (target %.2f: %s)"
                  % (what, floor, unit, name, ours, unit, ratio, target, verdict))
    against = statistics.median(p["pyz"][0] / p["ours"][0] for p in pairs)
    print(" the .pyz against the folder, wall time: ratio %.3f (median of the pairs)" % against)
    print("slowest imports of ours (own time, cumulative, module):")
    if not imports:
        print("  (-X importtime needs Python 3.7 or newer)")
    for own, cumulative, name in imports:
        print("  %6.2f ms %7.2f ms  %s" % (own / 1000.0, cumulative / 1000.0, name))
    return 1 if worst_env_files(args.python) or missed else 0


# Bounded work before the first byte is sent: a .env file at its 256 KiB
# cap, of the worst content found, is refused within 3 s and 100 MiB.
WORST_ENV_FILES = {"blanks": b"SIPGATE_TOKEN=a" + b" " * (250 * 1024) + b"x\n",
                   "a 250 KiB token": b"SIPGATE_TOKEN=" + b"a" * (250 * 1024) + b"\n"}


def worst_env_files(python):
    """Wall time and peak memory of one run on each worst .env file; True if a target is missed."""
    folder, missed = tempfile.mkdtemp(prefix="sipgate-bench-env-"), False
    print("worst .env files at the 256 KiB cap, --timeout 1 (targets 3 s, 100 MiB):")
    try:
        for name, content in sorted(WORST_ENV_FILES.items()):
            path = os.path.join(folder, "worst.env")
            with open(path, "wb") as stream:
                stream.write(content)
            out = subprocess.check_output(
                [python, "-S", "-E", "-c", LAUNCHER, python, "-S", "-E", "-m", "sipgate_basic",
                 "--timeout", "1", "--env-file", path], cwd=ROOT, stderr=subprocess.DEVNULL,
                env={"PATH": os.environ.get("PATH", ""), "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID},
                universal_newlines=True)
            wall, peak, status = out.split()
            ok = float(wall) <= 3 and int(peak) < 100 * 1024
            missed = missed or not ok
            print("  %-16s %7.2f ms  %6.2f MiB  exit %d  %s" % (
                name, float(wall) * 1000, int(peak) / 1024.0, int(status) >> 8,
                "ok" if ok else "MISSED"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return missed


if __name__ == "__main__":
    sys.exit(main())
