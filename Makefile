# The two commands of the README: `make run` and `make test`. Each creates its own
# virtual environment, so a fresh machine needs only Python 3.11+ (Java is optional).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080
PYTEST_ARGS ?=

CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install install-test assets browser lint build clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

# Browser libraries (YASGUI, vis-network) from the npm registry, served from node_modules.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "the browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
assets: node_modules/.installed
browser: $(CHROMIUM)

## run: install, build the graph (cached) and serve it on http://$(HOST):$(PORT)/
run: install assets
	$(BIN)/gfmd-kg serve --host $(HOST) --port $(PORT)

## test: install what the tests need, lint, type-check and run the whole suite
test: install-test assets browser lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests server.py
	$(BIN)/mypy

## bench: gfmd-kg against Oxigraph server and rdflib-endpoint (README, "Performance");
## BENCH_SIZES=10k,100k,1M,10M for the full run, BENCH_DURATION=seconds per cell
BENCH_SIZES ?= 10k,100k
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py --sizes $(BENCH_SIZES)

build: install
	$(BIN)/gfmd-kg build

clean:
	rm -rf .cache tests/artifacts
