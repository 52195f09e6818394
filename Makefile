# SIM TPBIS: `make run` serves the system, `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run dev serve secret-key test lint typecheck pytest bench bench-national messages clean

install: $(STAMP)

# Reinstall only when a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# Development commands may use the published fallback key; `make serve` never does.
run dev bench bench-national messages: export DJANGO_ALLOW_INSECURE_KEY = 1

# The demo database, the reminders' schedule, and the server with a worker beside it that builds large
# exports and sends the daily reminders (its links say port $(PORT)); both stop together.
define demo_server
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	$(PY) manage.py reminders_schedule
	$(PY) manage.py quality_scan --schedule
	PORT=$(PORT) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)
endef

# `make run` shows the product as it is served: DEBUG off (friendly error pages), static files collected,
# compressed and cached by whitenoise. `make dev` has DEBUG on: debug pages, static files read from
# static/ on each request.
run: export DEBUG = 0
run: export STATIC_COLLECTED = 1
run: install
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(demo_server)

dev: export DEBUG = 1
dev: install
	$(demo_server)

# Production mode (docs/deployment.md): DEBUG off, static files collected (hashed, gzipped), gunicorn
# (config/gunicorn.conf.py) on 127.0.0.1:$(PORT) and the worker beside it; both stop together.
serve: export DEBUG = 0
serve: secret-key install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py reminders_schedule
	$(PY) manage.py quality_scan --schedule
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	PORT=$(PORT) $(VENV)/bin/gunicorn --config config/gunicorn.conf.py & server=$$!; \
	trap 'kill $$server $$worker 2>/dev/null; wait' EXIT INT TERM; \
	wait $$server

secret-key:
	@test -n "$$SECRET_KEY" || { \
	  echo "make serve: SECRET_KEY is not set; production mode refuses the published development key." >&2; \
	  echo "Set a long random one, e.g.: export SECRET_KEY=\"\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\"" >&2; \
	  exit 1; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

# Two workers (pytest-xdist), one per core; each test file stays on one worker, so module fixtures
# (the browser tests' table restore, the authorization matrix's world) are built once.
# PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
pytest: install
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck pytest

# SQLite always; PostgreSQL too when a server answers on 127.0.0.1:5432 (a scratch database). Each run
# generates the 10,000-library, 5-year national set and reports every page for five periods against its
# SQL floor, record entry and kpi_recompute (bench/bench_national.py: an estimated 5-10 minutes of the
# run per database on the shared 2-core machine).
bench: install
	$(PY) bench/run.py
	if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  psql -h 127.0.0.1 -U postgres -d postgres -q -c 'DROP DATABASE IF EXISTS tpbis_bench' -c 'CREATE DATABASE tpbis_bench' && \
	  BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tpbis_bench $(PY) bench/run.py; \
	  psql -h 127.0.0.1 -U postgres -d postgres -q -c 'DROP DATABASE IF EXISTS tpbis_bench'; \
	  $(PY) bench/load.py --duration $${LOAD_SECONDS:-180}; \
	fi

# The whole country on PostgreSQL (NATIONAL_DATABASE_URL, created if missing): migrate, and only when it
# has no national set yet load_regions and generate_national (83,762 libraries, 3 years: 25.6 million
# records in 19.9 min, peak RSS 600 MB, with the set-based summaries rebuild; 53-68 min before it, under
# load), then kpi_recompute first and unchanged and every page for five periods; each command's time and
# peak RSS. The report is printed and written to var/bench-national.md (about 23 min in all).
NATIONAL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tpbis_national
NATIONAL_LIBRARIES ?= 83762
NATIONAL_YEARS ?= 3
bench-national: install
	DATABASE_URL=$(NATIONAL_DATABASE_URL) $(PY) bench/bench_national.py \
	  --generate $(NATIONAL_LIBRARIES) $(NATIONAL_YEARS) --recompute --out var/bench-national.md

messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --ignore='.venv/*' --ignore='var/*' --ignore='node_modules/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
