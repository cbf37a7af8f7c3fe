# Beseda: `make run` serves a demo on http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-stamp

.PHONY: lock run test lint ci ci-deps test-sqlite test-services check-nginx bench install messages clean

# bin/ensure-deps installs the Debian packages a target needs when run as root, or stops with
# the one command to run; `make run` and `make test` need nothing typed before them.
$(STAMP): requirements-dev.txt
	PYTHON=$(PYTHON) bin/ensure-deps run
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# requirements*.in name what the project uses; the lock files pin every transitive dependency
# with hashes. Run after editing an .in file (needs the registry); commit all four files.
UV_COMPILE := $(VENV)/bin/uv pip compile --quiet --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock"
lock: install
	$(UV_COMPILE) requirements.in -o requirements.txt
	$(UV_COMPILE) --constraint requirements.txt requirements-dev.in -o requirements-dev.txt

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_sticker_packs
	$(PY) manage.py seed_demo
	bin/serve-with-worker $(PY) 127.0.0.1:8000

# The chat client's core (static/js/chat-core.js) has Node unit tests; then the Python suite,
# on PYTEST_WORKERS processes (pytest-xdist; each has its own test database and Redis prefix).
PYTEST_WORKERS ?= 2
test: install
	@PYTHON=$(PYTHON) bin/ensure-deps test
	node --test tests/js/
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The same suite against a throwaway PostgreSQL and Redis (bin/with-services starts and stops them).
# Two processes, like `make test`: each has its own database and Redis prefix and database, and
# the fault tests that stop Redis stop one of their own (tests/realtime/conftest.py: own_redis).
SERVICES_WORKERS ?= 2
test-services: install
	bin/with-services $(PY) -m pytest -n $(SERVICES_WORKERS) $(PYTEST_ARGS)

# deploy/nginx.conf in front of two workers on PostgreSQL + Redis, checked with real sockets.
check-nginx: install
	bin/check-nginx

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	bin/check-deploy $(PY)
	$(VENV)/bin/bandit -c pyproject.toml -r . -q --severity-level high
	bin/audit-deps $(PY)

# Debian packages CI needs: the test suite's, plus Redis, gettext and nginx (PostgreSQL 15 ships
# with the machine).
ci-deps:
	@PYTHON=$(PYTHON) bin/ensure-deps ci

ci: ci-deps
	bin/check-prereqs
	$(MAKE) test
	$(MAKE) test-services
	$(MAKE) check-nginx
	$(MAKE) lint

messages: install
	$(PY) manage.py makemessages -l ru --ignore=.venv --ignore=var --ignore=media --ignore=static/vendor
	$(PY) manage.py makemessages -d djangojs -l ru --ignore=.venv --ignore=var --ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=.venv

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache
