# easypay-starter: `make demo` serves a freshly generated shop; `make test` runs the template's tests.
# Both find a Python >= 3.12 themselves (PYTHON=/path/to/python overrides): PATH first, then pyenv.
PROJECT_TEMPLATE := {{cookiecutter.project_slug}}
FIND_PYTHON := sh "$(PROJECT_TEMPLATE)/scripts/find_python.sh"
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := .demo
DEMO_PROJECT := $(DEMO_DIR)/my_easypay_shop
BENCH_DIR := .bakes/bench
BENCH_PROJECT := $(BENCH_DIR)/my_easypay_shop
# Extra options for the benchmark, e.g. BENCH_ARGS="--seconds 15 --rounds 2"
BENCH_ARGS ?=
# Parallel workers for the test run; the baked-project layer keeps one bake per worker.
JOBS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install test test-fast lint demo bench clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@python="$${PYTHON:-$$($(FIND_PYTHON))}" && echo "Using $$python" && "$$python" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --group dev
	@touch $@

install: $(VENV)/.installed ## The template's dev tools in .venv

test: install ## The whole test suite: bake matrix, hooks, baked projects (installed and tested)
	$(BIN)/pytest -n $(JOBS) --dist loadgroup

test-fast: install ## Everything but the baked-project layer
	$(BIN)/pytest -n $(JOBS) -m "not baked"

lint: install ## ruff on the template's own code (baked projects are linted by the tests)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

demo: install ## Generate the default shop into .demo/, install it, load demo data, serve :8000
	rm -rf $(DEMO_DIR)
	$(BIN)/cookiecutter --no-input --output-dir $(DEMO_DIR) .
	$(MAKE) -C $(DEMO_PROJECT) install demo PYTHON="$$(readlink -f $(BIN)/python)"

bench: install ## Bake the default shop and time a payment under gunicorn on PostgreSQL (about 2 min)
	rm -rf $(BENCH_DIR)
	$(BIN)/cookiecutter --no-input --output-dir $(BENCH_DIR) .
	$(MAKE) -C $(BENCH_PROJECT) install PYTHON="$$(readlink -f $(BIN)/python)"
	cd $(BENCH_PROJECT) && .venv/bin/python -m apps.payments.loadtest.bench $(BENCH_ARGS)

clean: ## Remove .venv, .demo and .bakes
	rm -rf $(VENV) $(DEMO_DIR) .bakes
