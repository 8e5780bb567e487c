# e-SPM: two commands. `make run` sets up everything and serves http://127.0.0.1:8000; `make test` runs all checks.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := static/vendor

.PHONY: run setup venv vendor chromium pdf-deps test lint check-migrations pytest bench bench-deps clean messages

run: setup
	@echo "e-SPM berjalan di http://$(HOST):$(PORT)/ (Ctrl+C untuk berhenti)"
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

# Idempotent: migrate, load the catalogue and regions, create the demo daerah and its users.
setup: venv vendor pdf-deps
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(PY) manage.py setup_demo --laporan

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Front-end libraries from the npm registry (pinned in package-lock.json), copied into our static files.
vendor: $(VENDOR)/.installed
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/htmx $(VENDOR)/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map $(VENDOR)/chartjs/
	touch $@

# Debian's chromium for the Playwright browser tests (never a downloaded browser).
chromium:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Pango for WeasyPrint (the PDF reports) and poppler-utils (pdftoppm: page images of the PDFs in the browser
# tests); Debian packages, installed only when missing.
pdf-deps:
	@{ ldconfig -p | grep -q libpangoft2-1.0.so.0 && command -v pdftoppm >/dev/null; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation poppler-utils >/dev/null; }

test: venv vendor chromium pdf-deps lint check-migrations pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-migrations: venv
	$(PY) manage.py makemigrations --check --dry-run

pytest: venv vendor
	$(VENV)/bin/pytest $(PYTEST_ARGS)

messages: venv
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

# wrk (Debian's package) drives bench/http_load.py: a C load generator leaves the cores to the server.
bench-deps:
	@command -v wrk >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

bench: venv bench-deps
	@ls bench/*.py >/dev/null 2>&1 && for f in bench/*.py; do $(PY) $$f || exit 1; done || echo "Belum ada benchmark."

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles .pytest_cache .ruff_cache
