# charter: two commands on a fresh machine, `make run` and `make test`.
#
# Every install comes from the lock files in requirements/ (exact versions and hashes of
# every package, runtime and dev, and of the build backend): a new release of anything
# cannot change what `make run` prints. `make lock` refreshes them deliberately,
# `make test-latest` tries the newest releases in a throwaway environment.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
TOOLS  := .venv-tools
UV_VERSION := 0.13.9
RUN_LOCK := requirements/run.lock
DEV_LOCK := requirements/dev.lock
# pip: only the lock's packages, only with their recorded hashes, and no resolver of its own
PIP_LOCKED := $(BIN)/python -m pip install --quiet --require-hashes --no-deps
# the project itself, built with the locked setuptools rather than whatever is newest
PIP_SELF := $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
UPGRADE ?=

.PHONY: run test lint install dev lock test-latest bench bench-full bench-plan bench-service \
	bench-slow-clients bench-family bench-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml $(RUN_LOCK)
	$(PIP_LOCKED) -r $(RUN_LOCK)
	$(PIP_SELF)
	$(BIN)/python -m pip check --quiet >/dev/null || $(BIN)/python -m pip check
	touch $@

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml $(DEV_LOCK)
	$(PIP_LOCKED) -r $(DEV_LOCK)
	$(PIP_SELF)
	$(BIN)/python -m pip check --quiet >/dev/null || $(BIN)/python -m pip check
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## make run: create the virtualenv, install charter, brief and plan the bundled scenario,
## show what its latest amendment changed (the flips, and the money with its uncertainty),
## write its report (report.html) and say how to open the dashboard
run: install
	$(BIN)/charter brief
	$(BIN)/charter plan
	$(BIN)/charter diff --from previous --summary
	$(BIN)/charter report --out report.html
	@echo ""
	@echo "Wrote report.html: open it in any browser (it works offline)."
	@echo "The dashboard, on a database of your own:"
	@echo "  $(BIN)/charter token create --party microsoft --role operator   # prints a token once"
	@echo "  $(BIN)/charter serve --as-of 2025-03-01"
	@echo "then open http://127.0.0.1:8000/ and sign in with the token."

## make lint: ruff and mypy
lint: dev
	$(BIN)/ruff check src tests benchmarks requirements
	$(BIN)/ruff format --check src tests benchmarks requirements
	$(BIN)/mypy

## make test: install the dev extras, lint, run every test
test: lint
	$(BIN)/python -m pytest

## make bench: the decision benchmark, the diff benchmark, then the planner on sizes S and M (not run in CI)
bench: dev
	$(BIN)/python -m benchmarks.decide_bench
	$(BIN)/python -m benchmarks.diff_bench
	$(BIN)/python -m benchmarks.plan_bench --sizes S,M

## make bench-full: the decision benchmark, the planner on every size (XS to XL) and the
## service benchmark (not run in CI). It may run for an hour or more: best run in the
## background, e.g. `nohup make bench-full > bench-full.log 2>&1 &`
bench-full: dev
	$(BIN)/python -m benchmarks.decide_bench
	$(BIN)/python -m benchmarks.diff_bench
	$(BIN)/python -m benchmarks.plan_bench --sizes XS,S,M,L,XL
	$(BIN)/python -m benchmarks.service_bench --seconds 8
	$(BIN)/python -m benchmarks.slow_clients --many 19900

## make bench-plan: planner speed and proven gap on the small sizes XS and S (not run in CI)
bench-plan: dev
	$(BIN)/python -m benchmarks.plan_bench --sizes XS,S

## make bench-family: the goal table on sizes S and M, every member of the generator family,
## seeds 1, 2, 3: charter against the big-M model on HiGHS and CBC, worst instance first, and
## the goals met or MISSED (not run in CI; hours on a small machine: best in the background)
bench-family: dev
	$(BIN)/python -m benchmarks.goal_table --sizes S,M --family all --seeds 1,2,3 \
	  --markdown bench-family.md --json bench-family.json

## make bench-check: `charter check` end to end on a greedy XL plan (about 15 million rows),
## time and peak memory, against the row-by-row checker on the same L plan (not run in CI)
bench-check: dev
	$(BIN)/python -m benchmarks.check_bench --size XL --reference-size L

## make bench-service: load on a real `charter serve` (SQLite; PostgreSQL with
## CHARTER_TEST_POSTGRES_URL set), then the ledger's reads at 20,000 events; not run in CI
bench-service: dev
	$(BIN)/python -m benchmarks.service_bench --seconds 8
	$(BIN)/python -m benchmarks.ledger_reads --events 20000

## make bench-slow-clients: 2,000, then 19,900 connections trickling a header byte every 2 s
## against a real `charter serve`: what it closes and when, /health p50/p99, its stderr bytes
bench-slow-clients: dev
	$(BIN)/python -m benchmarks.slow_clients --many 19900

## make lock: re-resolve the lock files from pyproject.toml's ranges and requirements/*.in,
## keeping every pin that still fits (UPGRADE=--upgrade for the newest of everything, or
## UPGRADE="--upgrade-package highspy" for one); then run `make test` and commit both files
lock:
	test -x $(TOOLS)/bin/uv || ($(PYTHON) -m venv $(TOOLS) && \
	  $(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION))
	$(TOOLS)/bin/uv pip compile --quiet pyproject.toml requirements/build.in --extra dev \
	  --constraint requirements/constraints.in --universal --python-version 3.11 \
	  --generate-hashes --no-header $(UPGRADE) -o $(DEV_LOCK)
	$(TOOLS)/bin/uv pip compile --quiet pyproject.toml requirements/build.in \
	  --constraint $(DEV_LOCK) --universal --python-version 3.11 \
	  --generate-hashes --no-header -o $(RUN_LOCK)
	@echo "wrote $(DEV_LOCK) and $(RUN_LOCK); now run make test and commit both"

## make test-latest: the whole test suite against the newest releases pyproject.toml allows
## (no lock, no holds), in a throwaway virtualenv; prints what differs from the lock
test-latest:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip && \
	"$$tmp/venv/bin/python" -m pip install --quiet -e '.[dev]' && \
	"$$tmp/venv/bin/python" requirements/compare.py $(DEV_LOCK) && \
	"$$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) $(TOOLS) build .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
