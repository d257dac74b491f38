# One entry point for every workflow. `make test` sets up everything on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
UPSTREAM ?=
PYTEST_ARGS ?=
# Test files run side by side (pytest-xdist), each file whole on one worker: most tests wait on
# an emulator, so two workers halve the wall time even on two cores. PYTEST_WORKERS=0 runs them in
# this process.
PYTEST_WORKERS ?= 2

.PHONY: help venv generate check-generated update-spec spec-report spec-drill validate-spec lint \
        typecheck unit browser pytest pythons test test-slow emulator demo bench chaos clean

help:
	@echo "make test             everything CI runs: lint, types, drift check, spec validation, tests, 3.9-3.13 smoke"
	@echo "make test-slow        the scale tests left out of make test (memory at 100k rows, big files)"
	@echo "make demo             quote, run, escalate and report the company-research example on a local emulator"
	@echo "make emulator         start the local Task Group API server on 127.0.0.1:8787"
	@echo "make generate         rebuild generated_client/ from openapi.yaml"
	@echo "make check-generated  fail if generated_client/ differs from what openapi.yaml produces"
	@echo "make update-spec UPSTREAM=<file|url>  re-slice openapi.yaml, keep UPSTREAM in generator/upstream/, print the change report"
	@echo "make spec-report      the last update-spec's report again (SPEC_REPORT_ARGS=--json for CI)"
	@echo "make spec-drill       apply synthetic changes to generator/upstream/'s document in a temp copy and check each"
	@echo "make bench            run every benchmark and write bench/RESULTS.md"
	@echo "make chaos            soak the CLI against the emulator with every fault on"

$(STAMP): pyproject.toml requirements-dev.txt generator/requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt -e '.[emulator,parquet,pandas,fast]'
	@touch $(STAMP)

venv: $(STAMP)

EMULATOR_CONTRACT := emulator/taskgroup_emulator/contract/openapi.yaml

generate: $(STAMP)
	$(PY) generator/generate.py
	cp openapi.yaml $(EMULATOR_CONTRACT)

check-generated: $(STAMP)
	$(PY) generator/generate.py --check
	@cmp -s openapi.yaml $(EMULATOR_CONTRACT) || { echo "check-generated: $(EMULATOR_CONTRACT) differs from openapi.yaml; run 'make generate'"; exit 1; }
	@echo "check-generated: the emulator's contract matches openapi.yaml."

# Writes openapi.yaml, generator/upstream_operations.yaml and generator/upstream/parallel-openapi.json
# (UPSTREAM itself, which the tests and the spec drill check openapi.yaml against): commit all three.
update-spec: $(STAMP)
	@test -n "$(UPSTREAM)" || { echo "usage: make update-spec UPSTREAM=<path or URL of Parallel's OpenAPI document> [REPORT_JSON=file]"; exit 2; }
	$(PY) generator/update_spec.py "$(UPSTREAM)" --previous $(VENV)/openapi.previous.yaml $(if $(REPORT_JSON),--json "$(REPORT_JSON)")
	@echo "Next: read the report, run 'make generate', then 'make test'."

spec-report: $(STAMP)
	@test -f $(VENV)/openapi.previous.yaml || { echo "spec-report: run 'make update-spec UPSTREAM=...' first"; exit 2; }
	$(PY) generator/spec_report.py $(VENV)/openapi.previous.yaml openapi.yaml \
		--upstream-old $(VENV)/upstream_operations.previous.yaml \
		--upstream-new generator/upstream_operations.yaml $(SPEC_REPORT_ARGS)

# Also part of make test (tests/generator/test_spec_drill.py); this prints the table alone.
spec-drill: $(STAMP)
	$(PY) tools/spec_drill.py

validate-spec: $(STAMP)
	$(PY) -c "import yaml; from openapi_spec_validator import validate; validate(yaml.safe_load(open('openapi.yaml'))); print('openapi.yaml: valid OpenAPI 3.1')"

lint: $(STAMP)
	$(BIN)/ruff check wrapper emulator tests bench generator examples tools
	$(BIN)/ruff format --check wrapper emulator tests bench generator examples tools

typecheck: $(STAMP)
	$(BIN)/mypy

# Headless Chromium renders `taskgroup report --html` in tests/cli/test_report_html_browser.py.
# Installed quietly when missing and apt can (as root); never fails the build: without it that
# test skips, except in CI (CI set), where it fails.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		(export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q chromium >/dev/null 2>&1 || \
		(apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) || \
		echo "browser: chromium is not installed and apt-get could not install it; the report page's browser test skips (fails in CI)"

pytest: $(STAMP) browser
	$(PY) tools/run_pytest.py -n $(PYTEST_WORKERS) --dist loadfile -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(PY) tools/run_pytest.py -m slow $(PYTEST_ARGS)

pythons: $(STAMP)
	bash tools/test_pythons.sh

test: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory check-generated
	$(MAKE) --no-print-directory validate-spec
	$(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory pythons

emulator: $(STAMP)
	$(BIN)/taskgroup-emulator --host 127.0.0.1 --port 8787

demo: $(STAMP)
	$(PY) examples/demo.py

bench: $(STAMP)
	$(PY) bench/run_all.py

chaos: $(STAMP)
	$(PY) tools/chaos.py

clean:
	rm -rf $(VENV) .venv-py* .venv-bench .pytest_cache .hypothesis .mypy_cache .ruff_cache
