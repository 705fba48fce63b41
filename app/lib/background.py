"""A loop that runs one unit of background work now, when woken, or every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("interlude.jobs")


class PollingLoop:
    def __init__(
        self, name: str, run_once: Callable[[], Awaitable[int]], poll_seconds: float
    ) -> None:
        self.name = name
        self._run_once = run_once
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"interlude-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                handled = await self._run_once()
            except Exception:
                log.exception("job_loop_error", loop=self.name)
                handled = 0
            if handled:
                continue  # more may be waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()
