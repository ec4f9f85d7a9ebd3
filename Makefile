# The two commands of the README: `make demo` and `make test`. Each creates .venv, installs the
# project into it if needed, runs `oops setup` (idempotent), then does its job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test chaos setup lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/oops setup

DEMO_GRADEBOOK ?= $(HOME)/.local/share/oopsengine/sum-of-numbers-canvas.csv

demo: setup
	$(BIN)/oops run examples/hello.py --stdin examples/hello.stdin
	$(BIN)/oops grade examples/sum/suite.toml examples/sum/submissions \
		--csv $(DEMO_GRADEBOOK) --format canvas

test: setup
	$(BIN)/python -m pytest -q

# Fault, load and abuse tests on throwaway servers (minutes); figures in chaos-figures.json.
chaos: setup
	$(BIN)/python -m pytest -q -m chaos tests/chaos

lint: $(STAMP)
	$(BIN)/ruff check gateway runners grading tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench.sandbox

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
