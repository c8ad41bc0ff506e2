# Two commands a new clone needs: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup run test lint unit e2e bench package clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Runs the bot (embedded store) with Microsoft 365 Agents Playground as the Teams client.
run: setup
	scripts/run-local.sh

## Lint, type checks and every test (unit, scenario, both storage backends, end to end).
test: lint unit

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

unit: setup
	scripts/ensure-chromium.sh
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m benchmarks

package: setup
	$(PY) scripts/package_manifest.py

clean:
	rm -rf $(VENV) .venv-peers node_modules build .pytest_cache .mypy_cache .ruff_cache
