"""A loop that runs one unit of background work now, when woken, or every few seconds.

With tracing on, a pass that handled something is a span (`job.plans`, `job.webhooks`...) with
how many jobs it handled; the agent runs and searches it made nest under it. An idle pass, every
few seconds in every loop, is not recorded: its span is never ended, so never exported.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

import structlog
from opentelemetry.trace import Status, StatusCode, Tracer, use_span

from app.lib.tracing import NO_TRACER

log = structlog.get_logger("interlude.jobs")

# How long `stop` waits between two cancellations of a loop that is still running.
_RECANCEL_S = 1.0


@runtime_checkable  # Litestar checks a dependency's value against its declared type
class Waker(Protocol):
    """What a request that queued a job tells the worker: look now, not at the next poll."""

    def wake(self) -> None: ...


class NoLocalWorker:
    """Stands for a worker in a web process that leaves jobs to `interlude worker`: those
    poll the queue tables (every `INTERLUDE_JOB_POLL_SECONDS` and `_INGESTION_POLL_SECONDS`),
    so a job queued here waits at most one interval."""

    def wake(self) -> None:
        pass


class PollingLoop:
    def __init__(
        self,
        name: str,
        run_once: Callable[[], Awaitable[int]],
        poll_seconds: float,
        *,
        wait_first: bool = False,
        tracer: Tracer = NO_TRACER,
    ) -> None:
        """`wait_first`: the first pass comes one interval after `start`, not at once."""
        self.name = name
        self._tracer = tracer
        self._run_once = run_once
        self._poll = poll_seconds
        self._wait_first = wait_first
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"interlude-{self.name}")

    async def stop(self) -> None:
        """Cancel the loop and wait until it has ended.

        One `cancel()` is not always enough: on Python 3.11, `asyncio.wait_for` returns the
        result instead of raising when the awaited work finishes in the same instant (this
        loop and the SQLite writers' queue used it, and CI's shutdown hung on the loop going
        on), and a shielded worker-thread call delivers a cancellation late. Both now use
        `asyncio.timeout`; still, the loop also checks `_stopping`, and the cancellation is
        repeated until the task is done, whatever `run_once` awaits.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        waits = 0
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=_RECANCEL_S)
            waits += 1
            if waits == 10:
                log.warning("job_loop_slow_to_stop", loop=self.name, waited_s=waits * _RECANCEL_S)
        with contextlib.suppress(asyncio.CancelledError):
            if (error := task.exception()) is not None:
                log.error("job_loop_ended_with_error", loop=self.name, error=type(error).__name__)

    async def _run(self) -> None:
        if self._wait_first:
            await self._pause()
        while not self._stopping:
            try:
                handled = await self._traced_pass()
            except Exception:
                log.exception("job_loop_error", loop=self.name)
                handled = 0
            if handled or self._stopping:
                continue  # more may be waiting, or we are asked to end
            await self._pause()

    async def _traced_pass(self) -> int:
        span = self._tracer.start_span(
            f"job.{self.name}", attributes={"interlude.job.loop": self.name}, record_exception=False
        )
        try:
            with use_span(
                span, end_on_exit=False, record_exception=False, set_status_on_exception=False
            ):
                handled = await self._run_once()
        except Exception as error:  # its type only: a message may quote what the job held
            span.set_attribute("error.type", type(error).__name__)
            span.set_status(Status(StatusCode.ERROR))
            span.end()
            raise
        if handled:
            span.set_attribute("interlude.job.handled", handled)
            span.end()
        return handled

    async def _pause(self) -> None:
        """Until woken or the interval has passed."""
        # asyncio.timeout, not wait_for: it never swallows a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._poll):
                await self._wake.wait()
        self._wake.clear()
