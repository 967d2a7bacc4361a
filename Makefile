# The two commands of the README: `make run` serves the app with the curated dataset,
# `make test` runs ruff and the whole test suite. Both set everything up first.
SHELL := /bin/bash
PORT ?= 8000
PYTHON_VERSION := $(shell cat .python-version)
# The pinned Python: pyenv's build if present, else a python3.13 on the PATH.
BASE_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python) $(shell command -v python$(basename $(PYTHON_VERSION)) 2>/dev/null))
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium
TIMELINEJS := tests/browser/timelinejs

.PHONY: run test setup venv dev-venv migrate data lint check-browser timelinejs diagram clean

run: setup
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: dev-venv lint check-browser timelinejs
	$(PY) -m pytest $(PYTEST_ARGS)

setup: venv migrate data

# What the app runs (requirements.txt); dev-venv adds the tests and tools (requirements-dev.txt).
venv: $(VENV)/.installed

dev-venv: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt .python-version
	@test -n "$(BASE_PYTHON)" || { echo "Python $(PYTHON_VERSION) not found: install it with 'pyenv install $(PYTHON_VERSION)'."; exit 1; }
	@test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

migrate: venv
	$(PY) manage.py migrate --no-input

data: migrate
	$(PY) manage.py load_timeline

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-browser:
	@test -x $(CHROMIUM) || echo "Note: no Chromium at $(CHROMIUM), so the browser tests will be skipped. Install it with 'sudo apt-get install chromium' (Debian/Ubuntu), or set CHROMIUM=/path/to/chromium."

# TimelineJS3 from npm (package-lock.json) for the browser test that replays the TimelineJS
# export; installed once. Without npm that test is skipped, except under CI where it fails.
timelinejs:
	@if [ ! -d $(TIMELINEJS)/node_modules ]; then \
	  if command -v npm >/dev/null 2>&1; then \
	    npm ci --prefix $(TIMELINEJS) --no-audit --no-fund; \
	  else \
	    echo "Note: npm not found, so the TimelineJS browser test will be skipped. Install Node.js 20+ with npm ('sudo apt-get install nodejs npm', or https://nodejs.org), then run 'make timelinejs'."; \
	  fi; \
	fi

# The data model diagram shown in docs/data.md.
diagram: dev-venv
	$(PY) manage.py graph_models timeline --pydot -g -o docs/data-model.png

clean:
	rm -rf $(VENV) staticfiles test-artifacts
