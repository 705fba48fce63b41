"""The background job loops of one process, started and stopped together.

A web process runs them unless `INTERLUDE_RUN_JOBS=false`; `interlude worker` runs them alone
(app/worker.py). Their queues are durable rows (plan runs, documents, e-mails, webhook
deliveries) claimed under leases (app/lib/leases.py), so any number of processes on one
PostgreSQL database may run them side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.agents.runtime import AgentRuntime
from app.domain.knowledge.worker import IngestionWorker
from app.domain.notifications.announcer import ItemAnnouncer
from app.domain.notifications.digest import CoachDigest
from app.domain.notifications.outbox import OutboxWorker, SmtpMailer
from app.domain.plans.events import EventDrafter
from app.domain.plans.worker import PlanWorker
from app.domain.webhooks.delivery import DeliveryWorker
from app.domain.webhooks.events import Wakeup
from app.lib.leases import process_id
from app.settings import Settings


class Startable(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class JobLoops:
    """Every loop, in start order; stopped in reverse, so the loops that queue work for others
    (announcer, digest, event drafter) end before those that drain it."""

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        runtime: AgentRuntime,
        settings: Settings,
        wakeup: Wakeup,
    ) -> None:
        holder = process_id()  # who holds this process's job leases
        self.ingestion = IngestionWorker(
            sessions,
            runtime.knowledge,
            settings,
            poll_seconds=settings.ingestion_poll_seconds,
            holder=holder,
        )
        self.plans = PlanWorker(sessions, runtime, settings, holder=holder)
        self.webhooks = DeliveryWorker(sessions, settings)
        wakeup.subscribe(self.webhooks.wake)
        self._loops: list[Startable] = [
            self.ingestion,
            self.plans,
            EventDrafter(sessions, runtime, settings),
            self.webhooks,
        ]
        if settings.sends_mail:
            self._loops += [
                OutboxWorker(sessions, SmtpMailer(settings), settings),
                ItemAnnouncer(sessions, settings),
                CoachDigest(sessions, settings),
            ]
        self._started: list[Startable] = []

    async def start(self) -> None:
        for loop in self._loops:
            await loop.start()
            self._started.append(loop)

    async def stop(self) -> None:
        """Stop what started; running plan runs and documents go back to the queue at once
        (their leases are released), so another process need not wait for them to expire."""
        while self._started:
            await self._started.pop().stop()
