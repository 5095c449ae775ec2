# Two commands on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# python3.10 on PATH, or pyenv's 3.10 when its shim is not switched on.
PYTHON310 := $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: run test install train lint format bench clean browser-deps deploy-deps

$(BIN)/ippc: pyproject.toml
	@test -n "$(PYTHON310)" || { echo "python3.10 not found: Rasa 3.6 needs Python 3.10"; exit 1; }
	test -x $(BIN)/python || $(PYTHON310) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip "setuptools<70" wheel
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

install: $(BIN)/ippc

train: install
	$(BIN)/ippc train

run: train
	$(BIN)/ippc run

# Debian's chromium (and a Chinese font for readable screenshots) for the browser tests;
# Playwright drives it, no browser download.
browser-deps:
	@dpkg -s chromium fonts-wqy-microhei >/dev/null 2>&1 || { \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
		|| echo "chromium could not be installed: browser tests will be skipped (fail under CI=true)"; }

# Debian's nginx for the production-stack tests and benchmark (deploy/): nginx runs as our
# child with a generated configuration, never as a system service.
deploy-deps:
	@dpkg -s nginx >/dev/null 2>&1 || { \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) \
		|| echo "nginx could not be installed: deploy tests will be skipped (fail under CI=true)"; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Everything the suite uses is installed first (chromium, nginx); under CI=true a test that
# would skip for something missing fails instead (tests/conftest.py). -rsxX (pyproject) lists
# every skip and xfail with its reason; --durations shows where the time goes.
test: install lint browser-deps deploy-deps train
	$(BIN)/rasa data validate --domain bot/domain --data bot/data --config bot/config.yml
	$(BIN)/pytest -q --durations=15

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Trains afresh (timed) and loads ippc, `rasa init` and the nginx stack in turn; the report
# and chart go to benchmarks/reports/ (docs/benchmarks.md).
bench: install deploy-deps
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) models build .pytest_cache
