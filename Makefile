# Doorstep: `make run` starts the demo, `make test` runs every check.
# Both set up everything they need on a fresh machine with Python 3.12 or newer.

VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell scripts/find-python)
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

# Where the test suite finds PostgreSQL and Redis (both local; trust auth).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/doorstep
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The browser tests (tests/e2e) drive Debian's Chromium: Playwright never downloads a browser.
CHROMIUM := /usr/bin/chromium

.PHONY: run test browser check lint typecheck pytest-sqlite pytest-postgres bench clean help

help:
	@echo "make run    set up, load the demo company and serve on http://127.0.0.1:8000"
	@echo "make test   install test tools, then lint, type-check and test on SQLite and PostgreSQL"
	@echo "make bench  run the benchmarks and print their figures"

$(BIN)/python:
	@test -n "$(PYTHON)" || { scripts/find-python; exit 1; }
	@echo "==> Creating the virtual environment in $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> Installing Doorstep and its dependencies (a minute or two the first time)"
	@$(BIN)/python -m pip install --progress-bar on -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> Installing Doorstep with its test tools"
	@$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	@echo "==> Preparing the database"
	@DOORSTEP_HTTPS=false $(BIN)/doorstep migrate --noinput
	@echo "==> Loading the demo company"
	@DOORSTEP_HTTPS=false $(BIN)/doorstep demo
	@echo "==> Starting Doorstep"
	@DOORSTEP_HTTPS=false $(BIN)/doorstep serve --host 127.0.0.1 --port 8000

test: $(TEST_STAMP) browser lint typecheck check pytest-sqlite pytest-postgres
	@echo "==> All checks passed"

# Installs Chromium with apt when it is missing (as root, or through sudo). Where that is
# impossible it says so; the browser tests then skip, and fail under CI=true.
browser:
	@test -x $(CHROMIUM) || { \
		echo "==> Installing Debian's Chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then as_root=; else as_root=sudo; fi; \
		if command -v apt-get >/dev/null && { [ -z "$$as_root" ] || command -v sudo >/dev/null; }; then \
			apt-cache show chromium >/dev/null 2>&1 || $$as_root apt-get update -qq; \
			$$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
		fi; \
		test -x $(CHROMIUM) || { \
			bar=$$(printf '%78s' | tr ' ' '!'); \
			printf '%s\n' "$$bar" \
				"$(CHROMIUM) is missing and 'apt-get install -y chromium' could not install it." \
				"Install it by hand. Until then the browser tests are SKIPPED (and FAIL under CI=true)." \
				"$$bar"; \
		}; \
	}

lint: $(TEST_STAMP)
	@echo "==> ruff check"
	@$(BIN)/ruff check .
	@echo "==> ruff format --check"
	@$(BIN)/ruff format --check .

typecheck: $(TEST_STAMP)
	@echo "==> mypy"
	@$(BIN)/mypy

check: $(TEST_STAMP)
	@echo "==> Models and migrations agree"
	@DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=. $(BIN)/doorstep makemigrations --check --dry-run

pytest-sqlite: $(TEST_STAMP)
	@echo "==> Tests on SQLite with the in-memory channel layer"
	@env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest

pytest-postgres: $(TEST_STAMP)
	@echo "==> Tests on PostgreSQL with the Redis channel layer and cache"
	@if ! scripts/require-services "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"; then \
		if [ "$${CI:-}" = "true" ]; then echo "Failing: CI must run the PostgreSQL tests."; exit 1; fi; \
		echo "Skipping the PostgreSQL run on this machine."; exit 0; \
	fi; \
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/pytest

bench: $(TEST_STAMP)
	@$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
