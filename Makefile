# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make demo   -- create .venv, install the locked dependencies, run the simulated family home
#   make test   -- install what the tests need (Debian packages when root), then ruff, mypy, pytest
# Both install exactly the set in requirements.lock (pinned versions, every file's sha256), so a
# machine set up next month runs what CI ran. `make lock` re-resolves it after pyproject.toml
# changes; commit the two together.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
# The installer itself is pinned too: a newer pip may resolve or build differently.
PIP_VERSION := 26.3
APT_PACKAGES := postgresql mosquitto espeak-ng sox libsndfile1 chromium

.PHONY: demo test lint typecheck pytest system-deps lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q pip==$(PIP_VERSION)

# Every extra is in the lock (tests need them all, so no test skips for a missing package);
# --no-deps on our own package so nothing outside the lock is pulled in.
$(VENV)/.installed: $(BIN)/python $(LOCK) pyproject.toml
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	touch $@

demo: $(VENV)/.installed
	$(BIN)/hearthmind demo --mqtt

# Re-resolve the lock from pyproject.toml (all extras, Python 3.11, x86_64 Linux), with hashes.
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra all --extra test --generate-hashes \
	  --python-version 3.11 --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" \
	  --quiet -o $(LOCK)

# Debian packages that the tests talk to for real; installed only when missing and root.
system-deps:
	@bash scripts/system-deps.sh $(APT_PACKAGES)

lint: $(VENV)/.installed
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.installed
	$(BIN)/mypy --strict src

pytest: $(VENV)/.installed system-deps
	$(BIN)/pytest -q -p no:cacheprovider

test: system-deps lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
