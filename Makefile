# Two commands do everything: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# First Python >= 3.12 found: on PATH, or installed by pyenv but not its global one.
PYTHON ?= $(shell for c in python3.14 python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	$$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; break; }; done)
HOST ?= 127.0.0.1:8000

.PHONY: demo test bench install messages schema worker clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python >= 3.12 is needed (python3.12 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@echo "Orderdesk: http://$(HOST)/admin/  (users admin, clerk, warehouse, service, finance, supervisor; password demo)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest

# Background worker for django-q2 tasks (notifications); the demo runs without it.
# Without DJANGO_SECRET_KEY in the environment it runs as the demo's worker (DEBUG on).
worker: install
	$(if $(DJANGO_SECRET_KEY),,DJANGO_DEBUG=1) $(PY) manage.py qcluster

bench: install
	$(PY) benchmarks/changelist.py
	$(PY) benchmarks/allocation.py
	$(PY) benchmarks/reconcile.py
	$(PY) benchmarks/import_orders.py

# Re-extract and compile translations after changing user-facing strings.
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=benchmarks --ignore=tests
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

# Write the REST API's OpenAPI schema to openapi.yaml (a test checks it is current).
schema: install
	DJANGO_DEBUG=1 $(PY) manage.py spectacular --validate --fail-on-warn --file openapi.yaml

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-shm db.sqlite3-wal
