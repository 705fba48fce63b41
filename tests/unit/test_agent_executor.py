"""The one way to run an agent: what an agent raises comes back as a value, never raised."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from agents.llm import ModelError
from app.domain.agents.executor import Done, Failure, run_agent, stream_agent
from app.lib.metrics import get_metrics


def _events_then(error: Exception) -> Iterator[str]:
    yield "first"
    yield "second"
    raise error


def test_a_streamed_run_delivers_its_events_then_the_failure_last() -> None:
    async def scenario() -> list[object]:
        produce = lambda: _events_then(ModelError("server", "500"))  # noqa: E731
        return [item async for item in stream_agent("chat", produce)]

    *events, failure = asyncio.run(scenario())

    assert events == ["first", "second"]  # what the learner already saw stays theirs
    assert isinstance(failure, Failure)
    assert failure.kind == "server"
    assert failure.retryable


def test_a_timeout_the_client_raised_itself_is_a_model_timeout() -> None:
    def slow() -> None:
        raise TimeoutError("read timed out")

    outcome = asyncio.run(run_agent("brief", slow))

    assert isinstance(outcome, Failure)
    assert outcome.from_model
    assert outcome.record == "TimeoutError (timeout): read timed out"
    done = asyncio.run(run_agent("brief", lambda: 42))
    assert isinstance(done, Done)
    assert done.value == 42


def test_a_bug_in_a_composer_turn_is_a_failure_but_no_model_failure() -> None:
    def broken() -> Iterator[str]:
        raise KeyError("points")

    async def scenario() -> list[object]:
        return [item async for item in stream_agent("chat", broken, at_once=True)]

    (failure,) = asyncio.run(scenario())

    assert isinstance(failure, Failure)
    assert failure.kind == "error"
    assert not failure.from_model


def test_runs_and_failures_are_counted_by_agent_and_kind() -> None:
    metrics = get_metrics()

    def count(metric: Any, *labels: str) -> float:
        value: float = metric.labels(*labels)._value.get()
        return value

    before = (
        count(metrics.agent_runs, "brief", "done"),
        count(metrics.agent_runs, "brief", "failed"),
        count(metrics.agent_failures, "brief", "rate_limited"),
    )

    def limited() -> None:
        raise ModelError("rate_limited", "429")

    asyncio.run(run_agent("brief", lambda: 1))
    asyncio.run(run_agent("brief", limited))

    async def streamed() -> list[object]:
        return [item async for item in stream_agent("brief", lambda: iter(["a", "b"]))]

    asyncio.run(streamed())
    after = (
        count(metrics.agent_runs, "brief", "done"),
        count(metrics.agent_runs, "brief", "failed"),
        count(metrics.agent_failures, "brief", "rate_limited"),
    )
    assert after == (before[0] + 2, before[1] + 1, before[2] + 1)
