# Summit Watch: `make run` to try it, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The developer's settings (DEBUG on, a development key) for the targets that
# run the site here; manage.py alone reads the production-safe config.settings.
# Not exported: the test suite chooses config.test_settings (pyproject.toml).
DEV := DJANGO_SETTINGS_MODULE=config.dev_settings
CMD ?= help

.PHONY: run test venv lint format migrate demo manage serve bench clean

# The virtual environment is rebuilt only when requirements.txt changes.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(DEV) $(PY) manage.py migrate --noinput

# Only into an empty site: a second `make run` keeps editors' changes.
demo: migrate
	$(DEV) $(PY) manage.py load_demo_content --if-empty
	$(DEV) $(PY) manage.py publish_data --verbosity 0

run: demo
	$(DEV) $(PY) manage.py ensure_admin
	@echo "Summit Watch: http://$(HOST):$(PORT)/   admin: http://$(HOST):$(PORT)/admin/"
	$(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

# Any other command with the developer's settings: make manage CMD="shell"
manage: venv
	$(DEV) $(PY) manage.py $(CMD)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: venv
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles artifacts .pytest_cache
