"""Indexes pending documents in the background, inside the web process.

The queue is the `document` table itself (status pending), so work survives a restart; the
worker wakes when told and otherwise polls, and leases the rows it claims (app/lib/leases.py)
so two processes never index the same document at once, and a restart re-queues only what a
dead process left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import anyio.to_thread
import structlog
from opentelemetry.trace import Tracer
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.db.models import Document
from app.domain.knowledge import services
from app.lib.background import PollingLoop
from app.lib.leases import LeaseKeeper, process_id
from app.lib.metrics import get_metrics
from app.lib.tracing import NO_TRACER
from app.settings import Settings
from knowledge.store import KnowledgeStore

log = structlog.get_logger("interlude.knowledge")
CLAIM_BATCH = 10


class IngestionWorker:
    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        knowledge: KnowledgeStore,
        settings: Settings,
        poll_seconds: float = 2.0,
        *,
        holder: str | None = None,
        tracer: Tracer = NO_TRACER,
    ) -> None:
        self._sessions = sessions
        self._knowledge = knowledge
        self._settings = settings
        self._loop = PollingLoop("ingestion", self.run_once, poll_seconds, tracer=tracer)
        self.leases = LeaseKeeper(
            "ingestion",
            sessions,
            services.DOCUMENT_JOBS,
            holder=holder or process_id(),
            lease_seconds=settings.job_lease_seconds,
            renew_seconds=settings.job_lease_renew_seconds,
        )

    def wake(self) -> None:
        self._loop.wake()

    async def start(self) -> None:
        if not self._knowledge.try_own():
            log.warning(
                "knowledge_directory_owned_elsewhere",
                detail="another process indexes this knowledge directory; this one will not",
            )
            return
        await self.leases.start()  # re-queues only what dead processes left
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        await self.leases.stop()
        self._knowledge.release()

    async def run_once(self) -> int:
        """Index what is pending now; returns how many documents were handled."""
        claimed = await self.leases.claim(CLAIM_BATCH)
        for document_id in claimed:
            try:
                outcome = await self._index_claimed(document_id)
            finally:
                self.leases.release(document_id)
            get_metrics().ingested.labels(outcome).inc()
            log.info("document_indexed", document_id=str(document_id), outcome=outcome)
        return len(claimed)

    async def _index_claimed(self, document_id: UUID) -> str:
        organization_id = None
        interrupted: Exception | None = None
        try:
            async with self._sessions() as db, db.begin():
                document = await db.get(Document, document_id)
                if document is None:
                    return "deleted"
                organization_id = document.organization_id
                outcome = await self._index(db, document)
        except (StaleDataError, DBAPIError) as error:  # the row went while it was indexed
            interrupted, outcome = error, "interrupted"
        # Deletion wins: a document deleted at any moment of its indexing ends with nothing
        # searchable, even what the indexing thread wrote after the deletion removed it.
        async with self._sessions() as db:
            gone = await db.scalar(select(Document.id).where(Document.id == document_id)) is None
        if gone:
            organization = self._knowledge.organization(str(organization_id))
            await anyio.to_thread.run_sync(organization.remove_document, str(document_id))
            return "deleted"
        if interrupted is not None:
            raise interrupted
        return str(outcome)

    async def _index(self, db: AsyncSession, document: Document) -> Any:
        return await services.index(
            db,
            self._knowledge,
            self._settings.uploads_dir,
            document,
            max_bytes=self._settings.max_upload_bytes,
        )
