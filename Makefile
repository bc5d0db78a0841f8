# Zhanggui CRM. `make run` serves the CRM; `make test` runs the whole suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PASSWORD ?= zhanggui123
export DEMO_PASSWORD

.PHONY: run test bench setup lint messages clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

setup: $(VENV)/.installed node_modules/.installed

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "掌柜 CRM: http://127.0.0.1:$(PORT)/  (admin / $(DEMO_PASSWORD))"
	$(BIN)/python manage.py serve --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# make bench BENCH_CUSTOMERS=1000000 BENCH_DATABASE_URL=postgres://user@host/zgbench [BENCH_API_LOAD=1]
# (default: 20000 customers in var/bench.sqlite3; see bench/__main__.py and bench/README.md)
bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .

messages: setup
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) node_modules staticfiles
