# BZPEER: `make run` serves the site, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SECRET := var/secret_key
PG_BIN := /usr/lib/postgresql/15/bin

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-postgres lint typecheck demo migrate clean bench

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project

$(SECRET): | $(STAMP)
	$(BIN)/bzpeer init

run: $(STAMP) $(SECRET) ## migrate, load the demo data on first run, serve http://127.0.0.1:8000
	$(BIN)/bzpeer migrate
	$(BIN)/bzpeer demo
	$(BIN)/bzpeer serve

migrate: $(STAMP) $(SECRET) ## create or update the database
	$(BIN)/bzpeer migrate

demo: $(STAMP) $(SECRET) ## load the bundled demo data
	$(BIN)/bzpeer demo

test: test-sqlite test-postgres ## the whole suite on SQLite, then on PostgreSQL

test-sqlite: $(STAMP) $(SECRET) ## ruff, mypy and the suite on SQLite
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/mypy src
	$(BIN)/pytest

test-postgres: $(STAMP) $(SECRET) ## the suite on a throwaway PostgreSQL cluster
	bash scripts/ensure-chromium.sh
	bash scripts/with-postgres.sh $(BIN)/pytest

lint: $(STAMP) ## ruff and mypy (also part of make test)
	$(BIN)/ruff check .
	$(BIN)/mypy src

bench: $(STAMP) ## the benchmarks (they read the shared data folder beside the project)
	$(BIN)/python bench/import_throughput.py
	$(BIN)/python bench/profile_page.py

clean: ## remove the database and collected static files
	rm -rf var
