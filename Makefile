# Dangol: `make run` starts everything, `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run install test lint format bench clean backup restore failover-test messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11, 4) and f"Dangol needs Python 3.11.4 or newer (restore extracts archives with tarfile filters); {sys.executable} is {sys.version.split()[0]}. Name another with PYTHON=/path/to/python3.")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
	@scripts/system_packages.sh

run: install
	PORT=$(PORT) $(PY) scripts/run.py

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DANGOL_DEBUG=1 $(PY) -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run -v 0  # no database needed
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The English catalogs: collect the marked strings into each app's locale/en, then compile the .mo files
# (committed, so running Dangol needs no gettext). Needs GNU gettext (Debian package gettext).
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --add-location=file
	$(PY) manage.py compilemessages -l en --ignore=.venv

bench: install
	$(PY) -m benchmarks

backup: install
	$(PY) manage.py backup $(if $(TO),--to $(TO))

restore: install
	@test -n "$(ARCHIVE)" || (echo "usage: make restore ARCHIVE=var/backups/dangol-....tar [YES=1]"; exit 2)
	$(PY) manage.py restore $(ARCHIVE) $(if $(YES),--yes)

# Needs root and Debian's patroni, etcd-server and postgresql-15; loopback only; stops what it starts.
failover-test: install
	$(PY) scripts/failover_test.py --strict

clean:
	rm -rf $(VENV) var/static .pytest_cache
