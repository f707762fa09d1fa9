"""`make demo`: the client against a local fake sipgate, no account, no network.

Starts tests/fake_sipgate.py in a process of its own, runs
`python -m sipgate_basic` against it with the demo token (a 200), then with
a wrong token (a 401), and stops the fake. Exits 0 when both runs ended as
they should. Your own ./.env is not read: the client runs in an empty
folder.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from fake_sipgate import DEMO_TOKEN, DEMO_TOKEN_ID  # noqa: E402


def run_client(base_url, token_id, token, shown_token, folder):
    env = dict(os.environ, PYTHONPATH=ROOT, SIPGATE_BASE_URL=base_url,
               SIPGATE_TOKEN_ID=token_id, SIPGATE_TOKEN=token)
    env.pop("SIPGATE_ACCESS_TOKEN", None)
    print("$ SIPGATE_BASE_URL=%s SIPGATE_TOKEN_ID=%s SIPGATE_TOKEN=%s python3 -m sipgate_basic"
          % (base_url, token_id, shown_token))
    sys.stdout.flush()
    code = subprocess.call([sys.executable, "-m", "sipgate_basic"], env=env, cwd=folder)
    print("(exit code %d)\n" % code)
    return code


def main():
    fake = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_sipgate.py"), "--quiet"],
                            stdout=subprocess.PIPE, universal_newlines=True)
    try:
        base_url = fake.stdout.readline().strip()
        if not base_url:
            print("demo: the fake sipgate did not start", file=sys.stderr)
            return 1
        print("A fake sipgate listens at %s (tests/fake_sipgate.py).\n" % base_url)
        with tempfile.TemporaryDirectory() as folder:
            good = run_client(base_url, DEMO_TOKEN_ID, DEMO_TOKEN, "<the demo token>", folder)
            bad = run_client(base_url, DEMO_TOKEN_ID, "not-the-token", "not-the-token", folder)
    finally:
        fake.terminate()
        fake.wait(10)
    if (good, bad) != (0, 3):
        print("demo: expected exit codes 0 and 3, got %d and %d" % (good, bad), file=sys.stderr)
        return 1
    print("The demo token works; the wrong one is refused. Next: `python3 -m sipgate_basic "
          "--offline` shows the request, `--verbose` the exchange; then copy .env.example "
          "to .env and use your own token.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
