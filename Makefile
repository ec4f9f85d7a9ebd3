# The two commands of the README: `make demo` and `make test`. Each creates .venv, installs the
# exact versions of requirements.lock and the project into it if needed, runs `oops setup`
# (idempotent), then does its job. Every file pip installs from the lock must match one of the
# lock's hashes. `make lock` rewrites the lock from pyproject.toml with the hashes of every file
# PyPI has for each version, keeping the locked versions the ranges still allow;
# `make lock UPGRADE=1` renews every one to the newest the ranges allow.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PIP := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: demo test unit chaos setup browser lint lock bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes -r requirements.lock
	$(PIP) --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/oops setup

DEMO_GRADEBOOK ?= $(HOME)/.local/share/oopsengine/sum-of-numbers-canvas.csv

demo: setup
	$(BIN)/oops run examples/hello.py --stdin examples/hello.stdin
	$(BIN)/oops grade examples/sum/suite.toml examples/sum/submissions \
		--csv $(DEMO_GRADEBOOK) --format canvas

# The browser tests drive Debian's Chromium (never a browser Playwright would download).
browser:
	test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends chromium </dev/null >/dev/null; }

test: setup browser
	$(BIN)/python -m pytest -q

# The tests that need no Docker, Postgres or Redis (tests/conftest.py marks a test by the
# fixtures it uses): no `oops setup`, under a minute.
unit: $(STAMP)
	$(BIN)/python -m pytest -q -m 'not docker and not services and not chaos'

# Fault, load and abuse tests on throwaway servers (minutes); figures in chaos-figures.json.
chaos: setup
	$(BIN)/python -m pytest -q -m chaos tests/chaos

lint: $(STAMP)
	$(BIN)/ruff check gateway runners grading tests bench
	$(BIN)/ruff format --check gateway runners grading tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# pip-tools lives only in this throwaway venv. --allow-unsafe locks pip and setuptools too
# should anything depend on them: in hash-checking mode an unlocked dependency fails the install.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check 'pip-tools>=7.4,<8'
	CUSTOM_COMPILE_COMMAND='make lock' .lock-venv/bin/pip-compile --quiet --generate-hashes \
		--allow-unsafe --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		$(if $(UPGRADE),--upgrade) --output-file requirements.lock pyproject.toml
	rm -rf .lock-venv

bench: setup
	$(BIN)/python -m bench.sandbox
	$(BIN)/python -m bench.languages
	$(BIN)/python -m bench.unit

clean:
	rm -rf $(VENV) .lock-venv .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
