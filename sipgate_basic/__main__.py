"""`python -m sipgate_basic`: run the command line, and make Ctrl-C quiet.

The import sits inside the try, so that an interrupt while Python is
still loading urllib ends with one line and exit 130, not a traceback.
"""

import sys

try:
    from sipgate_basic.cli import main
    sys.exit(main())
except KeyboardInterrupt:
    sys.stderr.write("sipgate_basic: interrupted\n")
    sys.exit(130)
