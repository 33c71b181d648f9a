# The commands people type. `make run` and `make test` do all set-up on a fresh machine.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install browser run test test-fast bench lint format docs screenshots widget clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m services run

# Each checkout keeps its own pytest temp dir: concurrent runs elsewhere on the machine rotate
# /tmp/pytest-of-$USER and would delete a running session's nats-server store.
PYTEST := $(BIN)/python -m pytest --basetemp=.pytest-tmp

# Browser tests need Chromium: Debian's (apt, when root) or Playwright's, installed once if missing.
browser: install
	$(BIN)/python -m tests.browser_setup

test: install browser
	$(PYTEST) $(PYTEST_ARGS)

test-fast: install
	$(PYTEST) -m "not e2e and not browser" $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: install
	$(BIN)/python -m services docs

# The visitor widget: gateway/widget/src bundled by esbuild (npm, locked) into the served file,
# gateway/static/widget/switchboard-widget.js, which is committed (so `make run` needs no node).
widget:
	cd gateway/widget && (test -d node_modules/esbuild || npm ci --no-audit --no-fund) && node build.mjs

# Each demo brand in light, dark, phone and right-to-left, into docs/screenshots/ (docs/widget.md).
screenshots: install browser
	SCREENSHOTS_DIR=docs/screenshots $(PYTEST) -q tests/widget/test_screenshots.py

clean:
	rm -rf var .pytest_cache
