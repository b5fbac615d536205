# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make demo   -- create .venv, install, run the simulated family home (Ctrl-C stops it)
#   make test   -- install what the tests need (Debian packages when root), then ruff, mypy, pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := postgresql mosquitto espeak-ng sox libsndfile1 chromium

.PHONY: demo test lint typecheck pytest system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[all]'
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[all,test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/hearthmind demo --mqtt

# Debian packages that the tests talk to for real; installed only when missing and root.
system-deps:
	@bash scripts/system-deps.sh $(APT_PACKAGES)

lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy --strict src

pytest: $(VENV)/.installed-test system-deps
	$(BIN)/pytest -q -p no:cacheprovider

test: system-deps lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
