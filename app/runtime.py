"""The composition root: what one Interlude process is made of, built from settings here.

`create_app` (app/asgi.py) builds the knowledge store, the agents and the background workers
through this module and hands them to Litestar (`dependencies`, by name); the CLI, the demo
and the evals build the knowledge store here too. Nothing is built at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

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
from app.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.store import KnowledgeStore


def build_knowledge(settings: Settings, store: str | None = None) -> KnowledgeStore:
    """The knowledge store of this deployment (`store` overrides the configured one, for
    `interlude knowledge migrate`); the model loads and the database connects on first use."""
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

        return PgKnowledgeStore(settings.resolved_database_url, embedder)
    return KnowledgeBase(settings.knowledge_dir, embedder)


class Background(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Workers:
    """The background workers of one process, built together, started in order and stopped
    in the reverse order (each stops only once its own loop has ended)."""

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        runtime: AgentRuntime,
        settings: Settings,
        wakeup: Wakeup,
    ) -> None:
        holder = process_id()  # who holds this process's job leases (app/lib/leases.py)
        self.ingestion = IngestionWorker(
            sessions,
            runtime.knowledge,
            settings,
            poll_seconds=settings.ingestion_poll_seconds,
            holder=holder,
        )
        self.plans = PlanWorker(sessions, runtime, settings, holder=holder)
        self.events = EventDrafter(sessions, runtime, settings)
        self.webhooks = DeliveryWorker(sessions, settings)
        wakeup.subscribe(self.webhooks.wake)  # a commit that queued a delivery wakes it
        self.outbox: OutboxWorker | None = None
        self.announcer: ItemAnnouncer | None = None
        self.digest: CoachDigest | None = None
        if settings.sends_mail:
            self.outbox = OutboxWorker(sessions, SmtpMailer(settings), settings)
            self.announcer = ItemAnnouncer(sessions, settings)
            self.digest = CoachDigest(sessions, settings)

    def _in_order(self) -> list[Background]:
        mail: list[Background | None] = [self.outbox, self.announcer, self.digest]
        always: list[Background] = [self.ingestion, self.plans, self.events, self.webhooks]
        return always + [worker for worker in mail if worker is not None]

    async def start(self) -> None:
        for worker in self._in_order():
            await worker.start()

    async def stop(self) -> None:
        for worker in reversed(self._in_order()):
            await worker.stop()
