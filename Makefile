# The commands the README shows. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# checkov lives in a virtualenv of its own: its pinned dependencies clash with the app's.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# Offline (no platform mapping, no update check), and a Bicep file it cannot parse fails the run
# instead of being skipped.
CHECKOV_ENV := BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true CKV_PARSE_ERROR_FAIL=true
PYTEST_ARGS ?=
# Three workers on two cores: much of the suite waits on hosts, queues and the browser, so a
# third worker overlaps those waits (measured: 373-420 s against 460 s with two).
TEST_WORKERS ?= 3
# The partner UI ships MSAL with the app (never from a CDN): copied from the pinned npm package.
UI_VENDOR := ui/vendor
MSAL_LIB := node_modules/@azure/msal-browser/lib
UI_VENDOR_FILES := $(UI_VENDOR)/msal-browser.min.js $(UI_VENDOR)/msal-redirect-bridge.min.js
# The UI tests drive Debian's Chromium, never a browser build downloaded by Playwright.
CHROMIUM ?= /usr/bin/chromium

PARTNER ?=
FUZZ_SECONDS ?= 180
ROLES ?= Referrals.Admin

.PHONY: help setup run test fuzz lint checkov unit token bench outbox clean ui-vendor browser

help:
	@echo "make run    - set up, start Azurite and the local functions host (FUNCTIONS_HTTP_PORT, default 7071)"
	@echo "make test   - set up, lint (ruff, mypy), run every test against a real Azurite"
	@echo "make token PARTNER=contoso ROLES=Referrals.Admin - mint a local bearer token"
	@echo "make outbox [LAST=5] [HTML=dir] - print the emails stored locally instead of sent"
	@echo "make fuzz [FUZZ_SECONDS=180] - contract-fuzz the API, every phase, FUZZ_SECONDS per role"
	@echo "make lint | make checkov | make bench | make clean"

$(PY_STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is required" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { \
		echo "Node.js and npm are required for Azurite: apt-get install -y nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHECKOV_STAMP): infra/requirements-checkov.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is required" >&2; exit 1; }
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r infra/requirements-checkov.txt
	touch $@

setup: $(PY_STAMP) $(NODE_STAMP) $(UI_VENDOR_FILES)

$(UI_VENDOR)/msal-browser.min.js: $(NODE_STAMP)
	mkdir -p $(UI_VENDOR)
	cp $(MSAL_LIB)/msal-browser.min.js $@

$(UI_VENDOR)/msal-redirect-bridge.min.js: $(NODE_STAMP)
	mkdir -p $(UI_VENDOR)
	cp $(MSAL_LIB)/redirect-bridge/msal-redirect-bridge.min.js $@

ui-vendor: $(UI_VENDOR_FILES)

browser:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium for the UI tests (apt-get install chromium)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing for the UI tests: run  sudo apt-get update && sudo apt-get install -y chromium" >&2; \
			exit 1; \
		fi; }

run: setup
	$(PY) -m tools.dev

lint: $(PY_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

checkov: $(CHECKOV_STAMP)
	$(CHECKOV_ENV) $(CHECKOV_VENV)/bin/checkov --config-file infra/.checkov.yaml

# The installs (network-bound) run side by side, then the checks (one core each), then pytest:
# on a fresh clone this saves about a minute over running them one after another.
test:
	$(MAKE) --no-print-directory -j3 --output-sync=target setup $(CHECKOV_STAMP) browser
	$(MAKE) --no-print-directory -j2 --output-sync=target lint checkov
	$(PY) -m pytest -p xdist -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The contract fuzz run of `make test`, longer: every schemathesis phase, FUZZ_SECONDS for each role.
fuzz: setup
	FUZZ_SECONDS_PER_ROLE=$(FUZZ_SECONDS) $(PY) -m pytest -p xdist -n 2 -rP tests/e2e/test_contract_fuzz.py

token: $(PY_STAMP)
	@$(PY) -m tools.token --partner "$(PARTNER)" --roles "$(ROLES)"

outbox: $(PY_STAMP)
	@$(PY) -m tools.outbox $(if $(LAST),--last $(LAST)) $(if $(HTML),--html-dir "$(HTML)")

bench: setup
	@for module in bench/[!_]*.py; do $(PY) -m bench.$$(basename $$module .py) || exit 1; done

clean:
	rm -rf .local/azurite .local/azurite.log .pytest_cache .mypy_cache .ruff_cache test-artifacts
