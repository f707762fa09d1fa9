# make test   the whole suite; first installs pytest into .venv if it is missing
# make demo   the client against a local fake sipgate: no account, no network
# make run    the client with your ./.env
# make bench  speed and memory against the smallest urllib script
# make zipapp dist/sipgate_basic.pyz, one reproducible file, and its SHA-256

PYTHON ?= python3
VENV := .venv
PYTEST := $(VENV)/bin/python -m pytest

.PHONY: test demo run bench zipapp clean

test: $(VENV)/.pytest-installed
	$(PYTEST) -q

# pytest is the only package this project ever installs, and only for tests.
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
	rm -rf $(VENV) .pytest_cache dist
