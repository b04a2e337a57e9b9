# Kilas — one command surface. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: help run test lint bench setup demo clean browser

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml package.json package-lock.json
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; else echo "npm not found: resumable uploads fall back to one request"; fi
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install pinned dependencies

run: setup ## set up, migrate, seed the demo if empty, serve http://127.0.0.1:8000 (HOST=, PORT= to change)
	$(BIN)/kilas migrate
	$(BIN)/kilas demo --if-empty
	$(BIN)/kilas serve --host $(HOST) --port $(PORT)

demo: setup ## erase the data and seed the demo again
	$(BIN)/kilas migrate
	$(BIN)/kilas demo --reset

browser: ## install Debian's chromium for the browser tests when missing
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

test: setup browser ## set up and run the whole suite: embedded, then distributed (PostgreSQL, Redis, S3)
	mkdir -p test-output
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)
	@if $(BIN)/python -m tests.backends; then \
	  echo "Distributed suite: PostgreSQL, Redis and a local S3-compatible server"; \
	  KILAS_TEST_BACKEND=distributed $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
	  echo "CI needs PostgreSQL and Redis for the distributed suite: failing."; exit 1; \
	else \
	  echo "Distributed suite SKIPPED: PostgreSQL or Redis is not reachable (KILAS_TEST_POSTGRES, KILAS_TEST_REDIS)."; \
	fi

lint: setup ## ruff and mypy
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy

bench: setup ## benchmarks (figures as BENCH lines)
	$(BIN)/python -m bench

clean: ## remove the virtualenv, local data and test output
	rm -rf $(VENV) var test-output node_modules
