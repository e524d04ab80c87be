# Landkreis Social – the commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
DEMO_ENV := DJANGO_DEBUG=true

.PHONY: demo test install install-dev lint format lock messages check bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Installs exactly the versions pinned in requirements/*.txt (regenerate with `make lock`).
$(VENV)/.installed-base: requirements/base.txt | $(PY)
	$(PIP) install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(PY)
	$(PIP) install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

## demo: web server, Celery worker and beat on the embedded default (SQLite, filesystem broker), with demo data
demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) PYTHON=$(PY) scripts/demo.sh

## test: the whole suite (PostgreSQL and Redis when reachable; see README)
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check: install-dev
	$(DEMO_ENV) $(PY) manage.py makemigrations --check --dry-run

## lock: re-pin requirements/*.txt from the ranges in pyproject.toml
lock: install-dev
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --no-header \
		--annotation-style=line pyproject.toml -o requirements/base.txt
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --no-header \
		--annotation-style=line --extra dev pyproject.toml -o requirements/dev.txt

## messages: collect translatable strings into the German catalogues and compile them.
## `make messages APP=posts` touches only that app's catalogue.
messages: install-dev
ifdef APP
	cd $(APP) && DJANGO_SETTINGS_MODULE= ../$(VENV)/bin/django-admin makemessages -l de --no-obsolete
	cd $(APP) && DJANGO_SETTINGS_MODULE= ../$(VENV)/bin/django-admin compilemessages
else
	$(DEMO_ENV) $(PY) manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=var --ignore=static/vendor --ignore=tests
	$(DEMO_ENV) $(PY) manage.py compilemessages --ignore=.venv
endif

clean:
	rm -rf var/broker var/celerybeat-schedule* var/cache
