# Liaison: `make demo` sets up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PEOPLE ?= 2000
DEMO_SEED ?= 42
PYTEST_ARGS ?= -n 2

.PHONY: demo test lint typecheck assets install serve seed migrate clean bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: build/static/nhsuk/VERSION

build/static/nhsuk/VERSION: node_modules/.installed scripts/build_assets.py
	$(BIN)/python scripts/build_assets.py

migrate: install assets
	LIAISON_DEMO=1 $(BIN)/liaison migrate --no-input -v 0

seed: migrate
	LIAISON_DEMO=1 $(BIN)/liaison seed --people $(DEMO_PEOPLE) --seed $(DEMO_SEED) --reset

demo: seed
	LIAISON_DEMO=1 $(BIN)/liaison demo-logins
	LIAISON_DEMO=1 $(BIN)/liaison serve --port $(PORT)

test: install assets
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	LIAISON_TESTING=1 $(BIN)/mypy
	LIAISON_TESTING=1 $(BIN)/liaison makemigrations --check --dry-run

clean:
	rm -rf build var .pytest_cache .mypy_cache

# `make bench` times the seeded database the settings point at (make seed first); BENCH_DATABASE picks
# another (postgres://... or sqlite:////path), BENCH_SCALE labels the run. docs/performance.md.
BENCH_SCALE ?= demo
BENCH_DATABASE ?=
bench: install
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/directory_match.py
	LIAISON_DEMO=1 $(BIN)/liaison bench --scale $(BENCH_SCALE) $(if $(BENCH_DATABASE),--database $(BENCH_DATABASE))
	$(BIN)/python bench/chart.py
