# The README's two commands: `make demo` and `make test`. Everything else is a helper target.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# `make demo` settings: the sandbox tenant's port, the backend's port (the Outlook harness,
# the pane, the API), the sandbox's state directory, and RESET=1 to seed the demo anew.
PORT   ?= 9443
BACKEND_PORT ?= 8443
STATE  ?= var/sandbox
RESET  ?=

.PHONY: demo test check install lint format bench clean

VENDOR := server/pane/static/vendor/.built

$(STAMP): pyproject.toml $(VENDOR)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The pane's front-end packages (MSAL.js, Fluent tokens; axe-core for the tests), from npm.
$(VENDOR): web/package.json web/package-lock.json web/build.mjs
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	node web/build.mjs
	touch $(VENDOR)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/secretariaat demo --sandbox-port $(PORT) --port $(BACKEND_PORT) --state $(STATE) $(if $(RESET),--reset)

test: $(STAMP) check
	$(BIN)/pytest

# The static checks alone (also the first part of `make test`): lint, format, the import
# contracts (pyproject's [tool.importlinter]) and the types (pyproject's [tool.mypy]).
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The suite once per awkward day (conftest's TODAY): the default Tuesday, a Monday, a Friday,
# the last Sunday of October (daylight saving ends) and New Year's Eve.
TEST_DATES ?= 2026-11-24 2026-11-23 2026-11-27 2026-10-25 2026-12-31

test-dates: $(STAMP)
	@failed=""; for day in $(TEST_DATES); do \
		echo "== SECRETARIAAT_TEST_TODAY=$$day"; \
		SECRETARIAAT_TEST_TODAY=$$day $(BIN)/pytest -q || failed="$$failed $$day"; \
	done; \
	if [ -n "$$failed" ]; then echo "failed on:$$failed"; exit 1; fi

bench: $(STAMP)
	$(BIN)/python -m benchmarks.sandbox_overhead
	$(BIN)/python -m benchmarks.quicksteps_apply
	$(BIN)/python -m benchmarks.calamity_clear
	$(BIN)/python -m benchmarks.meetings_push
	$(BIN)/python -m benchmarks.jobs_delta
	$(BIN)/python -m benchmarks.queue_load
	$(BIN)/python -m benchmarks.mail_burst
	$(BIN)/python -m benchmarks.planning_candidates

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var web/node_modules server/pane/static/vendor
