# The two commands: `make run` serves the demo zone, `make test` runs every check on
# SQLite and on a throw-away PostgreSQL. Both set up what they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests run on a pinned clock (tests/conftest.py); those marked `clock` run again with it a
# month and a year ahead.
CLOCK_AHEAD ?= 2026-12-26 2027-11-26

.PHONY: run test test-sqlite test-postgres test-clock lint bench system-packages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/parkbrain migrate --noinput
	$(BIN)/parkbrain demo --if-empty
	$(BIN)/parkbrain collectstatic --noinput -v 0
	@echo "Serving on http://$(HOST):$(PORT)/ (log-ins: see README.md)"
	scripts/serve $(HOST):$(PORT)

# Debian's Chromium for the browser tests and PostgreSQL for the second database run.
system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/parkbrain makemigrations --check --dry-run >/dev/null

test-sqlite: $(STAMP) system-packages
	$(BIN)/pytest

test-postgres: $(STAMP) system-packages
	scripts/with-postgres $(BIN)/pytest

test-clock: $(STAMP) system-packages
	@for day in $(CLOCK_AHEAD); do \
	  echo "Date-dependent tests with today = $$day"; \
	  PARKBRAIN_TEST_TODAY=$$day $(BIN)/pytest -m clock -q || exit 1; \
	done

test: lint test-sqlite test-postgres test-clock

bench: $(STAMP)
	$(BIN)/python bench/demo_build.py
	$(BIN)/python bench/report_import.py
	$(BIN)/python bench/report_api.py
	$(BIN)/python bench/cockpit.py
	$(BIN)/python bench/cockpit_load.py
	$(BIN)/python bench/trace.py --events 1000000

clean:
	rm -rf $(VENV) var test-artifacts *.egg-info
