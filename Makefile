# Doorstep: `make run` starts the demo, `make test` runs every check.
# Both set up everything they need on a fresh machine with Python 3.12 or newer.

VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell scripts/find-python)
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
# Exact versions with their hashes, for Python 3.12 and newer on any platform: `make run`
# installs the first, `make test` the second (the first plus the test tools).
RUN_LOCK := requirements/run.txt
TEST_LOCK := requirements/test.txt
# `make lock` resolves the locks afresh from pyproject.toml with this uv.
UV_VERSION := 0.13.9
LOCK_OPTIONS := --universal --python-version 3.12 --generate-hashes --quiet \
	--custom-compile-command "make lock"

# Where the test suite finds PostgreSQL and Redis (both local; trust auth).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/doorstep
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The browser tests (tests/e2e) drive Debian's Chromium: Playwright never downloads a browser.
CHROMIUM := /usr/bin/chromium

.PHONY: run test browser check lint typecheck imports vendored pytest-sqlite pytest-postgres bench \
	lock lock-upgrade clean help

help:
	@echo "make run    set up, load the demo company and serve on http://127.0.0.1:8000"
	@echo "make test   install test tools, then lint, type-check and test on SQLite and PostgreSQL"
	@echo "make bench  run the benchmarks and print their figures"
	@echo "make lock   re-resolve requirements/*.txt after a change to pyproject.toml (needs the network);"
	@echo "            make lock-upgrade moves every pin to the newest version pyproject.toml allows"

$(BIN)/python:
	@test -n "$(PYTHON)" || { scripts/find-python; exit 1; }
	@echo "==> Creating the virtual environment in $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

# The lock brings every dependency (and the build backend, hence --no-build-isolation);
# Doorstep itself is then installed as it stands in src/.
$(RUN_STAMP): pyproject.toml $(RUN_LOCK) | $(BIN)/python
	@echo "==> Installing Doorstep and its dependencies from $(RUN_LOCK) (a minute or two the first time)"
	@$(BIN)/python -m pip install --progress-bar on -r $(RUN_LOCK)
	@$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(TEST_STAMP): pyproject.toml $(TEST_LOCK) | $(BIN)/python
	@echo "==> Installing Doorstep with its test tools from $(TEST_LOCK)"
	@$(BIN)/python -m pip install --progress-bar on -r $(TEST_LOCK)
	@$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@ $(RUN_STAMP)

# Pins stay where pyproject.toml still allows them; lock-upgrade takes the newest of each.
lock: | $(BIN)/python
	@echo "==> Resolving $(RUN_LOCK) and $(TEST_LOCK) from pyproject.toml"
	@$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	@$(BIN)/uv pip compile $(LOCK_OPTIONS) $(LOCK_FLAGS) \
		pyproject.toml requirements/build.in -o $(RUN_LOCK)
	@$(BIN)/uv pip compile $(LOCK_OPTIONS) $(LOCK_FLAGS) --extra test --constraint $(RUN_LOCK) \
		pyproject.toml requirements/build.in -o $(TEST_LOCK)
	@echo "==> Review the change with git diff requirements/, then run make test"

lock-upgrade:
	@$(MAKE) --no-print-directory lock LOCK_FLAGS=--upgrade

run: $(RUN_STAMP)
	@echo "==> Preparing the database"
	@DOORSTEP_HTTPS=false $(BIN)/doorstep migrate --noinput
	@echo "==> Loading the demo company"
	@DOORSTEP_HTTPS=false $(BIN)/doorstep demo
	@echo "==> Starting Doorstep"
	@# The local demo's office sign-in opens the back office with its password alone; a real
	@# install asks superusers (or all staff) for a second factor (DOORSTEP_STAFF_REQUIRE_MFA).
	@DOORSTEP_HTTPS=false DOORSTEP_STAFF_REQUIRE_MFA=$${DOORSTEP_STAFF_REQUIRE_MFA:-off} \
		$(BIN)/doorstep serve --host 127.0.0.1 --port 8000

test: $(TEST_STAMP) browser lint typecheck imports vendored check pytest-sqlite pytest-postgres
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

# The import contracts of decision 0009 (.importlinter): doors above the domain above core.
imports: $(TEST_STAMP)
	@if [ -f .importlinter ]; then \
		echo "==> Import contracts"; \
		$(BIN)/lint-imports; \
	else \
		echo "==> No .importlinter file yet: import contracts skipped"; \
	fi

# Third-party front-end files are as the package registry shipped them (no network).
vendored:
	@echo "==> Vendored Leaflet matches its manifest"
	@bash scripts/vendor-leaflet --check

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
