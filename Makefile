# BZPEER: `make run` serves the site, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The test suite also needs the cluster extra (tests/cluster starts a local Dask cluster).
CLUSTER_STAMP := $(VENV)/.installed-cluster
SECRET := var/secret_key
PG_BIN := /usr/lib/postgresql/15/bin
# The graph's JavaScript, bundled from frontend/ (npm packages, esbuild).
BUNDLE := src/bzpeer/web/static/web/dist/explorer.js
NODE_STAMP := node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help assets run test test-sqlite test-postgres lint typecheck demo migrate clean bench

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project

$(CLUSTER_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev,cluster]'
	touch $(CLUSTER_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(BUNDLE): $(NODE_STAMP) $(wildcard frontend/*.js frontend/*.mjs)
	node frontend/build.mjs

assets: $(BUNDLE) ## bundle the graph's JavaScript (npm ci and esbuild, when missing or stale)

$(SECRET): | $(STAMP)
	$(BIN)/bzpeer init

run: $(STAMP) $(SECRET) $(BUNDLE) ## migrate, load the demo data on first run, serve http://127.0.0.1:8000
	$(BIN)/bzpeer migrate
	$(BIN)/bzpeer demo
	$(BIN)/bzpeer serve

migrate: $(STAMP) $(SECRET) ## create or update the database
	$(BIN)/bzpeer migrate

demo: $(STAMP) $(SECRET) ## load the bundled demo data
	$(BIN)/bzpeer demo

test: test-sqlite test-postgres ## the whole suite on SQLite, then on PostgreSQL

test-sqlite: $(CLUSTER_STAMP) $(SECRET) $(BUNDLE) ## ruff, mypy and the suite on SQLite
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/mypy src
	$(BIN)/pytest

test-postgres: $(CLUSTER_STAMP) $(SECRET) $(BUNDLE) ## the suite on a throwaway PostgreSQL cluster
	bash scripts/ensure-chromium.sh
	bash scripts/with-postgres.sh $(BIN)/pytest

lint: $(STAMP) ## ruff and mypy (also part of make test)
	$(BIN)/ruff check .
	$(BIN)/mypy src

bench: $(STAMP) ## the benchmarks (they read the shared data folder beside the project)
	$(BIN)/python bench/import_throughput.py
	$(BIN)/python bench/profile_page.py

clean: ## remove the database, collected static files and the JavaScript bundle
	rm -rf var src/bzpeer/web/static/web/dist
