# make test   the whole suite; first installs pytest into .venv/<python>/ if it is missing
# make demo   the client against a local fake sipgate: no account, no network
# make run    the client with your ./.env
# make bench  speed and memory against the smallest urllib script
# make zipapp dist/sipgate_basic.pyz, one reproducible file, and its SHA-256

PYTHON ?= python3
# One virtual environment per interpreter, named by its implementation,
# version and real path (hashed), e.g. .venv/cpython-3.11.2-8cefa46e: so
# `make test PYTHON=X` never runs pytest on a venv another Python made.
VENV_NAME := import hashlib, os, platform, sys; \
  print("%s-%s-%s" % (platform.python_implementation().lower(), platform.python_version(), \
                      hashlib.sha1(os.path.realpath(sys.executable).encode()).hexdigest()[:8]))
VENV := .venv/$(shell $(PYTHON) -c '$(VENV_NAME)' 2>/dev/null || echo unusable-python)
PYTEST := $(VENV)/bin/python -m pytest

.PHONY: test demo run bench zipapp clean

test: $(VENV)/.pytest-installed
	$(PYTEST) -q

# pytest is the only package this project ever installs, and only for tests;
# pip picks the newest pytest that supports the venv's Python (7.4 on 3.7).
$(VENV)/.pytest-installed:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet pytest
	touch $@

demo:
	@$(PYTHON) tests/demo.py

run:
	$(PYTHON) -m sipgate_basic

# Not a test: a measurement, printed. Exits 1 if a target is missed.
bench:
	$(PYTHON) tests/bench.py

# The package as one file, built from what git tracks; prints its SHA-256.
zipapp:
	$(PYTHON) tests/build_zipapp.py

clean:
	rm -rf .venv .pytest_cache dist
