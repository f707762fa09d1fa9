"""`python -m sipgate_basic`: Ctrl-C first, then the command line.

Before anything else is imported: Python's own KeyboardInterrupt, landing in
an import or a finaliser, is printed as "Exception ignored" and lost, and the
request is sent anyway. A handler that ends the process at once cannot be
lost: one line, exit 130, nothing sent after it.
"""

import os  # loaded already by runpy, which runs this file: no time passes here


def interrupted(signum=2, frame=None):  # 2: SIGINT, everywhere
    try:
        os.write(2, b"sipgate_basic: interrupted\n")
    except OSError:
        pass  # standard error is closed: the exit code still tells
    os._exit(128 + signum)  # 130 = errors.INTERRUPTED, as shells report Ctrl-C


try:
    import signal

    # A shell starts background jobs with Ctrl-C ignored; leave that so.
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupted)
    from sipgate_basic.cli import main
except KeyboardInterrupt:  # before the handler was in place
    interrupted()

code = main()  # it has flushed what it wrote
# Leave at once: Python's own shutdown would put Ctrl-C back to its default
# and wait on nothing we need.
os._exit(code)
