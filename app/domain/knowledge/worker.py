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
from app.domain.knowledge import pipeline
from app.lib.leases import LeasedWorker
from app.lib.metrics import get_metrics
from app.lib.tracing import NO_TRACER
from app.settings import Settings
from knowledge.store import KnowledgeStore

log = structlog.get_logger("interlude.knowledge")


class IngestionWorker(LeasedWorker):
    name = "ingestion"
    batch = 10

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
        super().__init__(
            sessions,
            pipeline.DOCUMENT_JOBS,
            poll_seconds=poll_seconds,
            lease_seconds=settings.job_lease_seconds,
            renew_seconds=settings.job_lease_renew_seconds,
            holder=holder,
            tracer=tracer,
        )
        self._sessions = sessions
        self._knowledge = knowledge
        self._settings = settings

    async def start(self) -> None:
        if not self._knowledge.try_own():
            log.warning(
                "knowledge_directory_owned_elsewhere",
                detail="another process indexes this knowledge directory; this one will not",
            )
            return
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        self._knowledge.release()

    async def run(self, document_id: UUID) -> None:
        """Index one document this worker claimed."""
        outcome = await self._index_claimed(document_id)
        get_metrics().ingested.labels(outcome).inc()
        log.info("document_indexed", document_id=str(document_id), outcome=outcome)

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
        return await pipeline.index(
            db,
            self._knowledge,
            self._settings.uploads_dir,
            document,
            max_bytes=self._settings.max_upload_bytes,
        )
