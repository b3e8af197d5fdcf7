# Kakehashi: `make run` sets everything up and serves; `make test` runs the test suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
MODELS ?= models
HOST   ?= 127.0.0.1
PORT   ?= 8000
DATA   := data/companies.csv data/partnerships.csv

.PHONY: help install model train run test lint format bench docker-check clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its dev tools

$(MODELS)/promoted.json: | $(STAMP)
	$(PY) -m training train --companies data/companies.csv --partnerships data/partnerships.csv --models-dir $(MODELS)

model: $(MODELS)/promoted.json  ## train on the bundled data unless a model is already promoted

train: $(STAMP)  ## train a new version on the bundled data and promote it
	$(PY) -m training train --companies data/companies.csv --partnerships data/partnerships.csv --models-dir $(MODELS)

run: model  ## serve the promoted model on http://$(HOST):$(PORT) with gunicorn
	KAKEHASHI_MODEL_DIR=$(MODELS) $(VENV)/bin/gunicorn --config service/gunicorn_conf.py --bind $(HOST):$(PORT) "service:create_app()"

test: $(STAMP)  ## run the whole test suite
	$(PY) -m pytest

lint: $(STAMP)  ## check style with ruff
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(STAMP)  ## format the code with ruff
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

bench: model  ## run the benchmarks (prints tables)
	$(PY) benchmarks/bench_rank.py --models-dir $(MODELS)

docker-check:  ## build the Dockerfile and smoke-test the image (no Docker engine needed)
	../shared/tools/docker-check

clean:  ## remove the virtualenv and trained models
	rm -rf $(VENV) $(MODELS) .pytest_cache .ruff_cache
