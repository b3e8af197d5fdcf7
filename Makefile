# Kakehashi: `make run` sets everything up and serves; `make test` runs the test suite.
PYTHON       ?= python3
VENV         := .venv
PY           := $(VENV)/bin/python
STAMP        := $(VENV)/.installed
MODELS       ?= models
COMPANIES    ?= data/companies.csv
PARTNERSHIPS ?= data/partnerships.csv
HOST         ?= 127.0.0.1
PORT         ?= 8000
DOCKER_CHECK := ../shared/tools/docker-check
TRAIN        := $(PY) -m training train --companies $(COMPANIES) --partnerships $(PARTNERSHIPS) --models-dir $(MODELS)

.PHONY: help install model train run test lint format bench docker-check clean clean-models

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# Editable, for developers; the Dockerfile installs the wheel. Reinstalls when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its dev tools

$(MODELS)/promoted.json: | $(STAMP)
	$(TRAIN)

model: $(MODELS)/promoted.json  ## train on COMPANIES and PARTNERSHIPS unless a model is already promoted

train: $(STAMP)  ## train a new version on COMPANIES and PARTNERSHIPS (default: data/) and promote it
	$(TRAIN)

run: model  ## serve the promoted model with gunicorn on http://HOST:PORT (default 127.0.0.1:8000)
	KAKEHASHI_MODEL_DIR=$(MODELS) $(VENV)/bin/gunicorn --config service/gunicorn_conf.py --bind $(HOST):$(PORT) "service:create_app()"

test: $(STAMP)  ## run the whole test suite
	$(PY) -m pytest

lint: $(STAMP)  ## check style with ruff
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(STAMP)  ## format the code with ruff
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

bench: model  ## train, rank and serve synthetic lists (sizes: BENCH_SIZES=1000,10000) and print tables
	$(PY) benchmarks/bench_rank.py --models-dir $(MODELS)
	$(PY) -m benchmarks --sizes $${BENCH_SIZES:-1000,10000} --bundled-models $(MODELS)

docker-check:  ## build the Dockerfile and smoke-test the image (needs ../shared/tools/docker-check, root)
	@test -x $(DOCKER_CHECK) || { echo "docker-check: needs $(DOCKER_CHECK) (the shared tools checked out beside this repo)" >&2; exit 2; }
	$(DOCKER_CHECK)

clean:  ## remove .venv, caches and build output (keeps trained models: see clean-models)
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

clean-models:  ## remove the trained models, the promoted one too (the MODELS folder, default models/)
	rm -rf $(MODELS)
