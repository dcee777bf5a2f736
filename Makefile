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
LABEL_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

.PHONY: help run test bench screenshots lint check clean distclean system-run system-test openapi contracts messages

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

# ruff and mypy, pinned in the `check` extra (their findings change between versions).
# The test environment plus the checkers, so that mypy reads the versions the tests run (the
# test extra pins some dependencies lower than a bare install picks); it makes .stamp-test too.
$(VENV)/.stamp-check: pyproject.toml | $(PY)
	$(PIP) install -e '.[test,check]'
	touch $@ $(VENV)/.stamp-test

# Phones on the same network can open the service: it listens on every interface and, unless
# TRACE_PUBLIC_BASE_URL says otherwise, QR codes, labels and console links carry the machine's
# LAN address (`auto`, trace/lan.py); `tracechain serve` prints it.
run: export TRACE_HOST ?= 0.0.0.0
run: export TRACE_PUBLIC_BASE_URL ?= auto
run: system-run $(VENV)/.stamp-test $(CONTRACTS_STAMP) ## Migrate, load the demo if the database is empty, serve (starts the local chain)
	$(VENV)/bin/tracechain db upgrade
	$(VENV)/bin/tracechain demo --if-empty
	$(VENV)/bin/tracechain serve

# Debian packages beyond Python, each installed only when missing, all in one apt-get:
#   postgres   the tests start throwaway PostgreSQL servers themselves (tests/support/postgres.py)
#   fonts      label PDFs write Vietnamese with DejaVu Sans (TRACE_LABEL_FONT_DIR points elsewhere)
#   chromium   the browser tests (tests/e2e) drive Debian's chromium with Playwright's driver: no
#              browser is downloaded at run time (never `playwright install`)
#   headless-shell  Debian's chromium-headless-shell, the same Chromium built for headless use:
#              the browser tests run in it (~40 % less CPU than the full browser's headless mode)
#   node       npm installs the contract toolchain under contracts/ from its lock file
# Not root: say what is missing; the tests that need it skip (and fail under CI=true).
define debian_packages
	@missing=""; \
	for need in $(1); do case $$need in \
		postgres) compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing="$$missing postgresql";; \
		fonts) [ -f $(LABEL_FONT) ] || [ -n "$${TRACE_LABEL_FONT_DIR:-}" ] || missing="$$missing fonts-dejavu-core";; \
		chromium) [ -x /usr/bin/chromium ] || missing="$$missing chromium";; \
		headless-shell) [ -x /usr/lib/chromium/chromium-headless-shell ] || \
			missing="$$missing chromium-headless-shell";; \
		node) command -v npm >/dev/null || missing="$$missing nodejs npm";; \
		wrk) command -v wrk >/dev/null || missing="$$missing wrk";; \
	esac; done; \
	if [ -z "$$missing" ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends $$missing; \
	else \
		echo "Missing Debian packages:$$missing (the tests that need them will be skipped)."; \
		echo "Install them with: sudo apt-get install --no-install-recommends$$missing"; \
	fi
endef

system-run: ## Install the Debian packages `make run` needs, if missing (needs root)
	$(call debian_packages,fonts node)

system-test: ## Install the Debian packages the tests need (PostgreSQL, fonts, chromium, Node.js), if missing
	$(call debian_packages,postgres fonts chromium headless-shell node)

# pytest exits 5 when it collected no tests; that is a failure here, like any non-zero exit,
# so a run that tests nothing never looks green. `.venv/bin/pytest` rather than `python -m
# pytest`: the latter puts the repo root first on sys.path, where trace/ would shadow the
# standard library's `trace` module.
# contracts/node_modules from the lock file, again whenever package-lock.json changes (npm ci
# rewrites node_modules/.package-lock.json). Without npm the contract tests skip, or fail under CI.
$(CONTRACTS_STAMP): contracts/package-lock.json
	$(call debian_packages,node)
	@if command -v npm >/dev/null; then \
		cd contracts && npm ci --no-audit --no-fund; \
	else \
		echo "npm is not installed: the contract build and anvil tests will be skipped."; \
	fi

# Public pages' text: extract the English ids, merge them into every language's catalogue
# (web/translations/<lang>/LC_MESSAGES/messages.po); translate the new empty entries and commit.
# A new language: `$(VENV)/bin/pybabel init -i web/translations/messages.pot -d web/translations -l de`.
messages: $(VENV)/.stamp-test ## Extract the pages' text and update the translation catalogues
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project tracechain -o web/translations/messages.pot .
	$(VENV)/bin/pybabel update -i web/translations/messages.pot -d web/translations \
		--no-wrap --ignore-obsolete
	$(VENV)/bin/pybabel extract -F babel-console.cfg -k N_ -k t -k error:2 --no-location \
		--sort-output --project tracechain -o web/translations/console.pot .
	$(VENV)/bin/pybabel update -D console -i web/translations/console.pot -d web/translations \
		--no-wrap --ignore-obsolete
	# The use cases' messages (domain.errors.Text) and the API's problem titles: api.po.
	$(VENV)/bin/pybabel extract -F babel-api.cfg --no-default-keywords -k Text --no-location --sort-output \
		--project tracechain -o web/translations/api.pot .
	$(VENV)/bin/pybabel update -D api -i web/translations/api.pot -d web/translations \
		--no-wrap --ignore-obsolete

contracts: $(CONTRACTS_STAMP) ## Rebuild the TraceAnchor artifact (contracts/build/ and trace/anchor/abi/; commit both)
	cd contracts && npm run build

test: system-test $(VENV)/.stamp-test $(CONTRACTS_STAMP) ## Run the tests (PYTEST_ARGS=... is passed to pytest)
	@# Bytecode for trace/ once, before the run: every pytest worker and every process the tests
	@# start (tracechain serve, the crash tests' anchorers, the install probes) imports it, and
	@# with PYTHONDONTWRITEBYTECODE set (as on our machines) each compiled it again.
	@$(VENV)/bin/python -m compileall -q -j 0 trace
	@rc=0; $(VENV)/bin/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests (exit 5): failing." >&2; fi; \
	exit $$rc

bench: $(VENV)/.stamp-bench $(CONTRACTS_STAMP) ## Run every benchmarks/bench_*.py, stopping at the first failure
	$(call debian_packages,postgres wrk chromium)
	@shopt -s nullglob; benches=(benchmarks/bench_*.py); \
	if [ $${#benches[@]} = 0 ]; then echo "make bench: no benchmarks/bench_*.py found" >&2; exit 1; fi; \
	for b in "$${benches[@]}"; do echo "== $$b"; $(PY) "$$b"; done

# The README's "how a cooperative starts" pictures (docs/console/STARTING.md): a fresh database,
# the real CLI for the first admin, then Debian's chromium at 360x740 in Vietnamese; commit them.
screenshots: $(VENV)/.stamp-test ## Rewrite docs/screenshots/starting-*.png from the console as it is (commit the result)
	$(call debian_packages,chromium)
	$(PY) benchmarks/screenshots.py

lint: $(VENV)/.stamp-check ## Run ruff on the code, tests and benchmarks
	$(VENV)/bin/ruff check trace tests benchmarks

# mypy reads [tool.mypy] in pyproject.toml: the package tracechain (through typecheck/, see
# there), strict on domain, gs1, hash, capture and sign. Tests and benchmarks are not type-checked.
# Both always run, so that one pass shows every finding.
check: $(VENV)/.stamp-check ## ruff and mypy; fails on any finding of either (CI runs it before the tests)
	@rc=0; $(VENV)/bin/ruff check trace tests benchmarks || rc=$$?; \
	$(VENV)/bin/mypy || rc=$$?; \
	exit $$rc

clean: ## Remove var/, caches and build output (keeps .venv)
	rm -rf var/ build/ dist/ *.egg-info .pytest_cache .ruff_cache .mypy_cache test-artifacts/
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv and contracts/node_modules too
	rm -rf $(VENV) contracts/node_modules

openapi: $(VENV)/.stamp-test ## Rewrite openapi.json from the code (commit the result)
	$(PY) -c "import json; from tracechain import create_app; \
	spec = create_app({'DATABASE_URL': 'sqlite://'}).test_client().get('/api/openapi.json').json; \
	open('openapi.json', 'w').write(json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=True) + '\n')"

.PHONY: settings-doc
settings-doc: $(VENV)/.stamp-test ## Rewrite README's configuration table from trace/settings.py (commit the result)
	$(PY) -m tracechain.settings README.md
