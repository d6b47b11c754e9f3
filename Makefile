# The two commands a newcomer needs: `make run` and `make test`. Only Python 3.11 is required.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test screenshots lint serve demo migrate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt requirements-sms.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/api/docs)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# One pytest worker per core (pytest-xdist), each with its own databases; tests of a module stay on one worker.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

screenshots: $(VENV)/.installed-dev  ## retake the handbook's pictures in docs/screenshots
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

serve: $(VENV)/.installed  ## production: gunicorn (deploy/gunicorn.conf.py) on DATABASE_URL and REDIS_URL, APP_ENV=production
	$(FLASK) db upgrade
	APP_ENV=$${APP_ENV:-production} $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The city-scale report needs PostgreSQL: BENCH_CITY_URL is a scratch database (created, then kept for reruns);
# BENCH_CITY_ARGS e.g. "--scale 0.1" for a quick run, "--history 5" for older votes outside the export.
BENCH_CITY_URL ?= postgresql://postgres@127.0.0.1:5432/bench_city
# The load benchmark: a scratch database emptied on every run, REDIS_URL (default db 11) for scans and tokens.
BENCH_LOAD_URL ?= postgresql://postgres@127.0.0.1:5432/bench_load
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/tally.py
	DATABASE_URL=$(BENCH_CITY_URL) $(BIN)/python bench/city_report.py $(BENCH_CITY_ARGS)
	BENCH_LOAD_URL=$(BENCH_LOAD_URL) $(BIN)/python bench/load.py $(BENCH_LOAD_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache

# schemathesis over the whole OpenAPI document with a longer budget than `make test` (FUZZ_EXAMPLES generated
# requests per operation and phase; on PostgreSQL too when TEST_DATABASE_URL is set).
.PHONY: fuzz
fuzz: $(VENV)/.installed-dev
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-50} $(BIN)/python -m pytest tests/test_fuzz_openapi.py $(PYTEST_ARGS)
