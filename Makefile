# Entry points for people and CI. Each target installs what it needs on a fresh machine:
# uv (from PyPI when missing), then the locked environment (.venv, from uv.lock).

STACK ?= dev
FORMAT ?= text
PYTEST_ARGS ?= -n auto
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
PYTHON := .venv/bin/python

.PHONY: setup preview test bench clean

setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

# The offline preview of a stack: the plan, the policy violations and the estimated cost.
preview: setup
	$(PYTHON) -m preview --stack $(STACK) --format $(FORMAT)

# The whole test suite. Starts real PostgreSQL and NGINX, so installs them first when missing.
test: setup
	@bash scripts/install-system-packages.sh
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Speed and memory figures; reported, never asserted.
bench: setup
	@bash scripts/install-system-packages.sh
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PYTHON) $$script || exit 1; done

clean:
	rm -rf .build .pytest_cache
