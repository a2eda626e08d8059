# easypay-starter: `make demo` serves a freshly generated shop; `make test` runs the template's tests.
# Both find a Python >= 3.12 themselves (PYTHON=/path/to/python overrides): PATH first, then pyenv.
PROJECT_TEMPLATE := {{cookiecutter.project_slug}}
FIND_PYTHON := sh "$(PROJECT_TEMPLATE)/scripts/find_python.sh"
VENV := .venv
BIN := $(VENV)/bin
# uv installs the dev tools here and every baked project in the tests, from one shared cache.
UV := $(BIN)/uv
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1
DEMO_DIR := .demo
DEMO_PROJECT := $(DEMO_DIR)/my_easypay_shop
BENCH_DIR := .bakes/bench
BENCH_PROJECT := $(BENCH_DIR)/my_easypay_shop
# Extra options for the benchmark, e.g. BENCH_ARGS="--seconds 15 --rounds 2"
BENCH_ARGS ?=
CHAOS_DIR := .bakes/chaos
CHAOS_PROJECT := $(CHAOS_DIR)/my_easypay_shop
# Options for the chaos run, e.g. CHAOS_ARGS="--payments 1000 --seed 7" (default: 300, a new seed)
CHAOS_ARGS ?=
# Parallel workers for the test run (pytest-xdist); tests/conftest.py orders the work longest first.
JOBS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install test test-fast lint demo bench chaos clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# .venv and a uv inside it: with the uv on PATH when there is one, else with the venv's pip.
$(UV):
	@python="$${PYTHON:-$$($(FIND_PYTHON))}" && echo "Using $$python" && \
	if command -v uv >/dev/null 2>&1; then \
		uv venv --quiet --allow-existing --python "$$python" $(VENV) && \
		uv pip install --quiet --python $(BIN)/python uv; \
	else \
		"$$python" -m venv $(VENV) && $(BIN)/python -m pip install --quiet uv; \
	fi

$(VENV)/.installed: $(UV) pyproject.toml
	$(UV) pip install --quiet --python $(BIN)/python --group dev
	@touch $@

install: $(VENV)/.installed ## The template's dev tools in .venv

test: install ## The whole test suite: bake matrix, hooks, baked projects (needs PostgreSQL, Redis, Chromium: see README)
	$(BIN)/pytest -n $(JOBS) --dist loadgroup --no-loadscope-reorder

test-fast: install ## Everything but the baked-project layer (no services needed)
	$(BIN)/pytest -n $(JOBS) --dist loadgroup --no-loadscope-reorder -m "not baked"

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

chaos: install ## Bake the default shop and run the chaos run: N payments while everything fails (CHAOS_ARGS="--payments 1000 --seed 7")
	rm -rf $(CHAOS_DIR)
	$(BIN)/cookiecutter --no-input --output-dir $(CHAOS_DIR) .
	$(MAKE) -C $(CHAOS_PROJECT) install PYTHON="$$(readlink -f $(BIN)/python)"
	cd $(CHAOS_PROJECT) && .venv/bin/python manage.py easypay_chaos $(CHAOS_ARGS)

clean: ## Remove .venv, .demo and .bakes
	rm -rf $(VENV) $(DEMO_DIR) .bakes
