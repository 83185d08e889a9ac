# The two commands of the README, and the steps they share.
#   make demo  - set up, generate a synthetic scenario, ingest it, load the embedded graph, start the app
#   make test  - set up (incl. Debian chromium for the browser test) and run lint, types and all tests
# Everything installs into .venv from the project's own files; Neo4j for the tests is assembled
# by the test session itself (tests/support/neo4j_server.py).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-dev demo test lint chromium bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

demo: setup
	$(BIN)/dossier demo

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser test needs Debian's chromium: sudo apt-get install -y chromium" >&2; exit 1; fi; }

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy schemas ingest graph dashboards dossier bench tests

test: setup-dev chromium lint
	$(BIN)/python -m pytest -q

bench: setup-dev
	$(BIN)/python -m bench.run
