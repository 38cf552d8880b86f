# Two commands set everything up on a fresh machine with Python >= 3.11:
#   make brief   -> .venv with carrywatch, then the brief on the embedded snapshot (offline)
#   make test    -> .venv with the dev extras, then ruff, mypy --strict and pytest
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: brief test lint typecheck pytest browser postgres snapshot bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "carrywatch needs Python >= 3.11; run make PYTHON=python3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

brief: $(VENV)/.installed
	$(BIN)/carrywatch brief --out carrywatch-brief

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# The browser test drives Debian's chromium; install it when possible (root on Debian),
# otherwise the test says it was skipped and why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	  || echo "note: Debian's chromium could not be installed; the browser tests will be skipped"; }

# The store's tests also run on a throwaway PostgreSQL server (tests/helpers/postgres.py)
# from Debian's packages; install them when possible (root on Debian), otherwise those
# tests say they were skipped and why (.ci/run makes that a failure).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 \
	  || echo "note: Debian's postgresql could not be installed; the PostgreSQL tests will be skipped"; }

pytest: $(VENV)/.dev-installed browser postgres
	$(BIN)/pytest

test: lint typecheck pytest

# Rebuild the embedded snapshot from ../shared/data (maintainers only).
snapshot: $(VENV)/.installed
	$(BIN)/python scripts/build_snapshot.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
