"""One way to run an agent (plan, chat, brief): off the event loop, timed, and its failure
handed back as data.

The agents are synchronous (retrieval, embeddings and model clients block), so each run hops
to a worker thread. Whatever goes wrong in there comes back as a `Failure`: a ModelError
(timeout, 5xx, rate limit), a timeout a model client raised in its own words, a bug. The
caller stores it on the run and shows it: the plan retries and at last falls back to the
composer, the chat message is marked failed, the brief falls back to the composer. No agent
failure reaches Litestar as an exception, so none answers 500.

Each run is a span (`agent.plan`, `agent.chat`...) when tracing is on: the agent, what drafted
(the model's name, or "composer"), the outcome and the failure kind. Never the exception's
message, which may quote a model's answer; the retrieval and guard spans nest under it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
import structlog
from opentelemetry.trace import Span, Status, StatusCode, Tracer, use_span

from agents.llm import ChatModel, ModelError
from app.db.models import AgentRun
from app.db.models.enums import RunStatus
from app.lib.metrics import get_metrics
from app.lib.tracing import NO_TRACER

T = TypeVar("T")
E = TypeVar("E")
log = structlog.get_logger("interlude.agents")
ERROR_CHARS = 500  # the run's `error` column keeps the cause, not a whole traceback


@dataclass(frozen=True, slots=True)
class Failure:
    """An agent run that ended in an exception, as a value."""

    agent: str  # "plan", "chat", "brief": the run's kind
    error: Exception

    @property
    def kind(self) -> str:
        """The model's failure kind (`agents.llm.FailureKind`), or "error" when it was no
        model's doing. A client that raises its own timeout (not translated to ModelError)
        still timed out."""
        if isinstance(self.error, ModelError):
            return self.error.kind
        if isinstance(self.error, TimeoutError | httpx.TimeoutException):
            return "timeout"
        return "error"

    @property
    def from_model(self) -> bool:
        return self.kind != "error"

    @property
    def retryable(self) -> bool:
        return not isinstance(self.error, ModelError) or self.error.retryable

    @property
    def record(self) -> str:
        """What the run's `error` keeps: the exception's type, the kind and its message."""
        return f"{type(self.error).__name__} ({self.kind}): {self.error}"[:ERROR_CHARS]

    def failed_run(self, organization_id: UUID, **fields: Any) -> AgentRun:
        """A new `agent_run` row for this failure (plan runs update the row they are)."""
        return AgentRun(
            organization_id=organization_id,
            kind=self.agent,
            status=RunStatus.FAILED.value,
            error=self.record,
            **fields,
        )


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    value: T
    latency_ms: int


def model_name(llm: ChatModel | None) -> str:
    """What drafts or replies, for a span: the model's name, or "composer"."""
    return llm.model if llm is not None else "composer"


def _start_span(tracer: Tracer, agent: str, model: str) -> Span:
    return tracer.start_span(
        f"agent.{agent}",
        attributes={"interlude.agent.name": agent, "interlude.agent.model": model},
        # An exception's message may quote a model's answer or a passage: the span keeps the
        # failure's kind only (`_failure`), here and in every `use_span` below.
        record_exception=False,
    )


def _done(agent: str, span: Span) -> None:
    get_metrics().agent_runs.labels(agent, "done").inc()
    span.set_attribute("interlude.agent.outcome", "done")


def _failure(agent: str, error: Exception, span: Span) -> Failure:
    failure = Failure(agent=agent, error=error)
    metrics = get_metrics()
    metrics.agent_runs.labels(agent, "failed").inc()
    metrics.agent_failures.labels(agent, failure.kind).inc()
    span.set_attributes(
        {"interlude.agent.outcome": "failed", "interlude.agent.failure_kind": failure.kind}
    )
    span.set_status(Status(StatusCode.ERROR, failure.kind))
    if failure.from_model:
        log.warning("agent_failed", agent=agent, kind=failure.kind, error=type(error).__name__)
    else:  # not the model: a bug or a dependency; the traceback is worth keeping
        log.error("agent_failed", agent=agent, kind=failure.kind, exc_info=error)
    return failure


async def run_agent(
    agent: str, call: Callable[[], T], *, tracer: Tracer = NO_TRACER, model: str = "composer"
) -> Done[T] | Failure:
    """Run `call` (the agent, all its arguments bound) in a worker thread; `model` names
    what drafts in it (`model_name`), for its span."""
    started = time.perf_counter()
    # The worker thread runs in a copy of this context: the agent's own spans nest under it.
    span = _start_span(tracer, agent, model)
    with use_span(span, end_on_exit=True, record_exception=False, set_status_on_exception=False):
        try:
            value = await anyio.to_thread.run_sync(call)
        except Exception as error:
            return _failure(agent, error, span)
        _done(agent, span)
    return Done(value=value, latency_ms=round((time.perf_counter() - started) * 1000))


async def stream_agent(
    agent: str,
    produce: Callable[[], Iterable[E]],
    *,
    at_once: bool = False,
    tracer: Tracer = NO_TRACER,
    model: str = "composer",
) -> AsyncIterator[E | Failure]:
    """The events `produce` yields in a worker thread, consumed here as they come; a failure
    is the last item. `at_once`: the agent waits on nothing (the composer: two or three events
    a few ms of CPU apart), so one trip to the thread brings them all, instead of a task group,
    a stream and a round trip to the event loop for each event."""
    if at_once:
        outcome = await run_agent(agent, lambda: list(produce()), tracer=tracer, model=model)
        if isinstance(outcome, Failure):
            yield outcome
            return
        for event in outcome.value:
            yield event
        return
    send, receive = anyio.create_memory_object_stream[Any](64)
    # Not made current here: this generator's context is its consumer's, between two items.
    # The worker thread makes it current for the agent's own spans.
    span = _start_span(tracer, agent, model)

    def pump() -> None:
        try:
            with use_span(
                span, end_on_exit=False, record_exception=False, set_status_on_exception=False
            ):
                for event in produce():
                    anyio.from_thread.run(send.send, event)
        except anyio.BrokenResourceError:
            return  # the consumer went away (the client disconnected)
        except Exception as error:  # handed to the consumer, which stores it
            with contextlib.suppress(anyio.BrokenResourceError):
                anyio.from_thread.run(send.send, _failure(agent, error, span))
        finally:
            anyio.from_thread.run_sync(send.close)

    failure: Failure | None = None
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.to_thread.run_sync, pump)
            async with receive:
                async for item in receive:
                    if isinstance(item, Failure):
                        failure = item
                        break
                    yield item
        if failure is not None:  # handed over once the worker thread is done
            yield failure
        else:
            _done(agent, span)
    finally:
        span.end()
