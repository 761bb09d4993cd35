# Clientela — `make run` serves the app with demo data; `make test` runs every check and test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
SCALE ?= XS
DB ?= sqlite

.DEFAULT_GOAL := help
.PHONY: help run serve test test-unit test-e2e lint messages demo bench bench-data clean

help:
	@echo "make run    install, migrate, load demo data once, serve http://127.0.0.1:8000 with background jobs"
	@echo "make test   install dev tools, lint, check migrations and translations, run the whole test suite"
	@echo "make serve  production server (gunicorn, 2 workers) plus worker and scheduler"
	@echo "make bench  benchmark suite (SCALE=XS|S|M|L DB=sqlite|postgres)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Clientela needs Python 3.12 or newer (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	$(PY) manage.py run

serve: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py serve

demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0
	$(PY) manage.py check

test: lint
	$(BIN)/pytest clientela bench -n 2 -q
	$(BIN)/pytest e2e -q

test-unit: $(VENV)/.installed-dev
	$(BIN)/pytest clientela bench -n 2 -q

test-e2e: $(VENV)/.installed-dev
	$(BIN)/pytest e2e -q

messages: $(VENV)/.installed-dev
	$(PY) manage.py translations --extract
	$(PY) manage.py translations --compile

bench-data: $(VENV)/.installed-dev
	$(PY) bench/generate.py --scale $(SCALE) --db $(DB)

bench: $(VENV)/.installed-dev
	$(PY) bench/run.py --scale $(SCALE) --db $(DB)

clean:
	rm -rf $(VENV) var/static .pytest_cache
