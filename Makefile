# Two commands matter: `make run` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker
export TRACKER_DEMO_PASSWORD ?= demo-password-for-local-use

INSTANCE := $(or $(TRACKER_INSTANCE_PATH),instance)
DB ?= sqlite
BENCH_SCALE ?= department

.PHONY: run test bench install assets system-packages db seed lint security clean

run: install assets db seed ## set up everything and serve on http://127.0.0.1:5000
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install assets system-packages lint security ## set up everything and pass every test, on SQLite and PostgreSQL
	$(BIN)/python -m tests.run_all

bench: install assets system-packages ## the benchmarks into bench/RESULTS.md: make bench [DB=postgres] [BENCH_SCALE=small]
	$(BIN)/python -m bench.run --db $(DB) --scale $(BENCH_SCALE)

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.2
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

assets: tracker/static/govuk/.built

tracker/static/govuk/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	bin/build-assets
	touch $@

system-packages: ## Debian's Chromium and PostgreSQL for the browser and PostgreSQL tests
	bin/install-system-packages

db: install $(INSTANCE)/secret_key $(INSTANCE)/audit_chain_key
	$(FLASK) db upgrade

$(INSTANCE)/secret_key: ## a random key for the local service, kept (tracker/config.py reads it)
	bin/make-secret-key $@

$(INSTANCE)/audit_chain_key: ## the audit chain's HMAC key for the local service, kept
	bin/make-secret-key $@

seed: db
	$(FLASK) seed --demo --history

lint: install ## ruff, and the layers as import-linter contracts (setup.cfg)
	$(BIN)/ruff check tracker tests seeds migrations bench tools wsgi.py gunicorn.conf.py bin/check-dependencies
	$(BIN)/lint-imports

security: install ## bandit (fails on any high-severity finding), and the pinned dependencies against known vulnerabilities
	$(BIN)/bandit -q -r tracker -c bandit.yaml --severity-level high
	$(BIN)/python bin/check-dependencies

clean:
	rm -rf $(VENV) node_modules tracker/static/govuk tracker/static/fonts tracker/static/images
