# Entry points for people and CI. Each target installs what it needs on a fresh machine:
# uv (when missing: into .build/uv-bootstrap, see scripts/bootstrap-uv.sh), then the locked
# environment (.venv, from uv.lock).

STACK ?= dev
FORMAT ?= text
PYTEST_ARGS ?= -n auto
PREVIEW_ARGS ?=
# uv from PATH, else the private copy scripts/bootstrap-uv.sh installs.
UV := $(or $(shell command -v uv 2>/dev/null),.build/uv-bootstrap/bin/uv)
PYTHON := .venv/bin/python

# Silent: no command lines echoed, so `make preview FORMAT=json > plan.json` is exactly the report.
.SILENT:
MAKEFLAGS += --no-print-directory

.PHONY: setup preview lint format typecheck-baseline test bench clean

# --compile-bytecode: the packages' bytecode is written once, at install. Python would otherwise
# compile pulumi_aws's modules again in every process wherever it may not write its own cache
# (PYTHONDONTWRITEBYTECODE, a read-only tree): seconds per preview, per pack and per test process.
setup:
	[ -x "$(UV)" ] || bash scripts/bootstrap-uv.sh
	$(UV) sync --frozen --quiet --compile-bytecode >&2

# The offline preview of a stack: the plan, the policy findings and the estimated cost.
# FORMAT: text | json | markdown | sarif; PREVIEW_ARGS: more options of `python -m preview`.
preview: setup
	$(PYTHON) -m preview --stack $(STACK) --format $(FORMAT) $(PREVIEW_ARGS)

# ruff (lint and format check) and the type checker, configured in pyproject.toml.
lint: setup
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	# discard: a baselined error that is gone (e.g. one that depends on local build files) is no failure;
	# a new error still is. (CI's default, lock, fails on any change to the baseline.)
	.venv/bin/basedpyright --baselinemode=discard

# Rewrite what the tools can: ruff's safe fixes and the formatter.
format: setup
	$(PYTHON) -m ruff check --fix .
	$(PYTHON) -m ruff format .

# Record the type errors the tree has now as accepted (.basedpyright/baseline.json); new ones still fail.
typecheck-baseline: setup
	.venv/bin/basedpyright --writebaseline

# The whole test suite. Starts real PostgreSQL and NGINX, so installs them first when missing.
test: setup lint
	bash scripts/install-system-packages.sh
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Speed and memory figures; reported, never asserted.
bench: setup
	bash scripts/install-system-packages.sh
	for script in benchmarks/bench_*.py; do echo "== $$script"; $(PYTHON) $$script || exit 1; done

clean:
	rm -rf .build .pytest_cache
