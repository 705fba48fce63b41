"""The composition root: what one Interlude process is made of, built from settings here.

`create_app` (app/asgi.py) builds the knowledge store, the agents and the background job loops
through this module and hands them to Litestar (`dependencies`, by name); `interlude worker`
(app/worker.py) runs the same job loops without HTTP; the CLI, the demo and the evals build the
knowledge store here too. Nothing is built at import.

The job loops' queues are durable rows (plan runs, documents, e-mails, webhook deliveries)
claimed under leases (app/lib/leases.py), so any number of processes on one PostgreSQL database
may run them side by side. A web process runs them unless `INTERLUDE_RUN_JOBS=false`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncSession

from agents.llm import build_embedder
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
from app.lib.tracing import NO_TRACER
from app.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.store import KnowledgeStore


def build_knowledge(
    settings: Settings, store: str | None = None, *, tracer: Tracer | None = None
) -> KnowledgeStore:
    """The knowledge store of this deployment (`store` overrides the configured one, for
    `interlude knowledge migrate`); the model loads and the database connects on first use.
    `tracer`: its searches' spans (app/lib/tracing.py)."""
    embedder = build_embedder(
        settings.embedding_provider,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        model=settings.embedding_model,
        dimension=settings.embedding_dimension,
        timeout_s=settings.model_timeout_s,
    )
    if (store or settings.knowledge_store) == "postgres":
        from knowledge.pg import PgKnowledgeStore

        return PgKnowledgeStore(settings.resolved_database_url, embedder, tracer=tracer)
    return KnowledgeBase(settings.knowledge_dir, embedder, tracer=tracer)


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
        *,
        tracer: Tracer = NO_TRACER,
    ) -> None:
        """`tracer`: the spans of job passes that handled something (app/lib/tracing.py)."""
        holder = process_id()  # who holds this process's job leases (app/lib/leases.py)
        self.ingestion = IngestionWorker(
            sessions,
            runtime.knowledge,
            settings,
            poll_seconds=settings.ingestion_poll_seconds,
            holder=holder,
            tracer=tracer,
        )
        self.plans = PlanWorker(sessions, runtime, settings, holder=holder)
        self.webhooks = DeliveryWorker(sessions, settings, tracer=tracer)
        wakeup.subscribe(self.webhooks.wake)
        self._loops: list[Startable] = [
            self.ingestion,
            self.plans,
            EventDrafter(sessions, runtime, settings),
            self.webhooks,
        ]
        if settings.sends_mail:
            self._loops += [
                OutboxWorker(sessions, SmtpMailer(settings), settings, tracer=tracer),
                ItemAnnouncer(sessions, settings, tracer=tracer),
                CoachDigest(sessions, settings, tracer=tracer),
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
