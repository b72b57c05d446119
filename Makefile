# charter: two commands on a fresh machine, `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint install dev bench bench-full bench-plan bench-service clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## make run: create the virtualenv, install charter, brief and plan the bundled scenario
run: install
	$(BIN)/charter brief
	$(BIN)/charter plan

## make lint: ruff and mypy
lint: dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

## make test: install the dev extras, lint, run every test
test: lint
	$(BIN)/python -m pytest

## make bench: the decision benchmark, then the planner on sizes S and M (not run in CI)
bench: dev
	$(BIN)/python -m benchmarks.decide_bench
	$(BIN)/python -m benchmarks.plan_bench --sizes S,M

## make bench-full: the decision benchmark, the planner on every size (XS to XL) and the
## service benchmark (not run in CI). It may run for an hour or more: best run in the
## background, e.g. `nohup make bench-full > bench-full.log 2>&1 &`
bench-full: dev
	$(BIN)/python -m benchmarks.decide_bench
	$(BIN)/python -m benchmarks.plan_bench --sizes XS,S,M,L,XL
	$(BIN)/python -m benchmarks.service_bench --seconds 8

## make bench-plan: planner speed and proven gap on the small sizes XS and S (not run in CI)
bench-plan: dev
	$(BIN)/python -m benchmarks.plan_bench --sizes XS,S

## make bench-service: load on a real `charter serve` (SQLite; PostgreSQL with
## CHARTER_TEST_POSTGRES_URL set); not run in CI
bench-service: dev
	$(BIN)/python -m benchmarks.service_bench --seconds 8

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
