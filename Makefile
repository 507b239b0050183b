# korps: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install install-dev db lint typecheck e2e-deps clean bench messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python  ## install korps into the virtualenv
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python  ## install korps with the test and lint tools
	$(BIN)/pip install --quiet -e '.[dev]'

db: install  ## database, bundled datasets, example scenarios, noodhulp units for the Rotterdam meldkamer
	$(BIN)/korps db init
	$(BIN)/korps load all
	$(BIN)/korps monitor load
	$(BIN)/korps scenario save examples/*.yaml
	$(BIN)/korps controlroom seed-units rotterdam --per-basisteam 2
	$(BIN)/korps demo
	$(BIN)/korps monitor compute

run: db  ## set up and serve the web UI on http://127.0.0.1:8000
	$(BIN)/korps serve

e2e-deps:  ## Debian's chromium for the browser tests (never a downloaded browser)
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) ; } || echo "chromium not installed: browser tests will be skipped"

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install-dev
	$(BIN)/mypy

test: install-dev e2e-deps lint typecheck  ## set up and run the whole suite (lint, types, tests)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info

bench: install-dev  ## side-by-side benchmarks (ratios measured in one run)
	$(BIN)/python benchmarks/subtree.py
	$(BIN)/python benchmarks/allocation.py
	$(BIN)/python benchmarks/sim_vs_simpy.py --replications 2
	$(BIN)/python benchmarks/sim_memory.py
	$(BIN)/python benchmarks/cli_start.py
	@if [ -n "$$KORPS_BENCH_DATABASE_URL" ]; then $(BIN)/python benchmarks/controlroom_load.py; else echo "controlroom_load: set KORPS_BENCH_DATABASE_URL (PostgreSQL) to run it"; fi
	@if [ -n "$$KORPS_BENCH_DATABASE_URL" ]; then $(BIN)/python benchmarks/portal_load.py; else echo "portal_load: set KORPS_BENCH_DATABASE_URL (PostgreSQL) to run it"; fi

messages: install  ## extract the texts of code and templates into the catalogues (nl filled, en to translate)
	$(BIN)/python -m korps.common.catalogue
