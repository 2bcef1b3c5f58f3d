# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE := xiezuo.settings

.PHONY: setup setup-dev browser run test test-repeat test-pg migrate demo bench clean messages mutation

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.runtime node_modules/.installed

setup-dev: setup $(VENV)/.dev browser

# Real-browser tests drive Debian's Chromium with a CJK font, and the ledger
# tests make office files with headless LibreOffice (as an office's own
# suite writes them); install them when missing and we may (root on Debian).
# Elsewhere the tests that need them fail saying what is missing.
OS_PACKAGES := chromium fonts-noto-cjk libreoffice-calc libreoffice-writer-nogui poppler-utils
browser:
	@if [ ! -x /usr/bin/chromium ] || ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null \
	    || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $(OS_PACKAGES) >/dev/null) \
	    || echo "warning: could not install $(OS_PACKAGES)"; \
	  else echo "note: install Debian's $(OS_PACKAGES) for the browser and office-file tests"; fi; \
	fi

migrate: setup
	DEBUG=1 $(PY) manage.py migrate --noinput -v0

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

# The job queue's worker runs beside the web server, as on a server (a
# SQLite queue file in var/, no Redis); it stops when runserver does.
run: demo
	@echo "Xiezuo: http://127.0.0.1:8000 (job queue worker: var/worker.log)"
	DEBUG=1 $(PY) manage.py run_huey --workers 1 --worker-type process >var/worker.log 2>&1 & \
	  worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# The suite runs on every core (up to four), each worker with a test
# database of its own; `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= auto
test: setup-dev
	$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4

# The whole suite again and again, stopping at the first failing run: what
# "no flaky test" is checked with (docs/TESTING.md). `make test-repeat TIMES=10`.
TIMES ?= 10
test-repeat: setup-dev
	@mkdir -p var; for i in $$(seq $(TIMES)); do \
	  echo "--- run $$i of $(TIMES), $$(date -u '+%Y-%m-%d %H:%M UTC') ---"; \
	  $(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4 >var/test-repeat-$$i.log 2>&1; rc=$$?; \
	  grep -E "[0-9]+ (passed|failed|error)" var/test-repeat-$$i.log | tail -1; \
	  [ $$rc -eq 0 ] || { echo "run $$i failed: var/test-repeat-$$i.log"; exit $$rc; }; \
	done

test-pg: setup-dev
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4

# Mutation testing of the rule-bearing modules (docs/TESTING.md): every
# module, or some: `make mutation MODULES=lib/money.py,lib/dates.py`.
# The functions with a PostgreSQL branch are run a second time against
# MUTATION_PG when it answers (left out, and said so, when it does not).
MODULES ?=
MUTATION_PG ?= postgres://postgres@127.0.0.1:5432/postgres
mutation: setup-dev
	$(PY) scripts/mutation.py --jobs 2 --postgres $(MUTATION_PG) $(subst $(comma), ,$(MODULES))

comma := ,

bench: setup-dev
	$(PY) -m bench

bench-import-pg: setup-dev
	$(PY) -m bench import_pg

bench-%: setup-dev
	$(PY) -m bench $*

clean:
	rm -rf $(VENV) node_modules var

messages: setup
	DEBUG=1 $(PY) scripts/i18n.py
