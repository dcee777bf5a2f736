# Developer and CI entry points. `make` (or `make help`) lists the targets.
# Every target is idempotent: it installs only what is missing or out of date.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PYTEST_ARGS ?=
CONTRACTS_STAMP := contracts/node_modules/.package-lock.json

.PHONY: help run test bench lint clean distclean postgres openapi contracts

help: ## List the targets
	@echo "Call a specific target:"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  make test PYTEST_ARGS='-k capture -x' passes arguments to pytest."

$(PY):
	python3 -m venv $(VENV)

# Reinstall only when pyproject.toml is newer than the stamp. The venv is an order-only
# prerequisite (after |) so that pip touching .venv does not trigger another install.
$(VENV)/.stamp-test: pyproject.toml | $(PY)
	$(PIP) install -e '.[test]'
	touch $@

$(VENV)/.stamp-bench: pyproject.toml | $(PY)
	$(PIP) install -e '.[bench,test]'
	touch $@

$(VENV)/bin/ruff: | $(PY)
	$(PIP) install ruff

run: $(VENV)/.stamp-test $(CONTRACTS_STAMP) ## Migrate, load the demo if the database is empty, serve (starts the local chain)
	$(VENV)/bin/tracechain db upgrade
	$(VENV)/bin/tracechain demo --if-empty
	$(VENV)/bin/tracechain serve

# The tests start their own throwaway server, so only the binaries are needed (tests/support).
postgres: ## Install PostgreSQL binaries from Debian if missing (needs root)
	@if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends postgresql; \
	else \
		echo "PostgreSQL is not installed; the PostgreSQL tests will be skipped."; \
		echo "Install it with: sudo apt-get install --no-install-recommends postgresql"; \
	fi

# pytest exits 5 when it collected no tests; that is a failure here, like any non-zero exit,
# so a run that tests nothing never looks green. `.venv/bin/pytest` rather than `python -m
# pytest`: the latter puts the repo root first on sys.path, where trace/ would shadow the
# standard library's `trace` module.
# contracts/node_modules from the lock file, again whenever package-lock.json changes (npm ci
# rewrites node_modules/.package-lock.json). Without npm the contract tests skip, or fail under CI.
$(CONTRACTS_STAMP): contracts/package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends nodejs npm; \
	fi
	@if command -v npm >/dev/null; then \
		cd contracts && npm ci --no-audit --no-fund; \
	else \
		echo "npm is not installed: the contract build and anvil tests will be skipped."; \
	fi

contracts: $(CONTRACTS_STAMP) ## Rebuild the TraceAnchor artifact (contracts/build/ and trace/anchor/abi/; commit both)
	cd contracts && npm run build

test: $(VENV)/.stamp-test postgres $(CONTRACTS_STAMP) ## Run the tests (PYTEST_ARGS=... is passed to pytest)
	@rc=0; $(VENV)/bin/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests (exit 5): failing." >&2; fi; \
	exit $$rc

bench: $(VENV)/.stamp-bench ## Run every benchmarks/bench_*.py, stopping at the first failure
	@shopt -s nullglob; benches=(benchmarks/bench_*.py); \
	if [ $${#benches[@]} = 0 ]; then echo "make bench: no benchmarks/bench_*.py found" >&2; exit 1; fi; \
	for b in "$${benches[@]}"; do echo "== $$b"; $(PY) "$$b"; done

lint: $(VENV)/bin/ruff ## Run ruff on the code, tests and benchmarks
	$(VENV)/bin/ruff check trace tests benchmarks

clean: ## Remove var/, caches and build output (keeps .venv)
	rm -rf var/ build/ dist/ *.egg-info .pytest_cache .ruff_cache test-artifacts/
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv and contracts/node_modules too
	rm -rf $(VENV) contracts/node_modules

openapi: $(VENV)/.stamp-test ## Rewrite openapi.json from the code (commit the result)
	$(PY) -c "import json; from tracechain import create_app; \
	spec = create_app({'DATABASE_URL': 'sqlite://'}).test_client().get('/api/openapi.json').json; \
	open('openapi.json', 'w').write(json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=True) + '\n')"
