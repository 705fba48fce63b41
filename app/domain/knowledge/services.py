"""The knowledge API's rules: admins upload, list and delete documents; admins and coaches
search; anyone in the organisation opens a cited passage. The document pipeline itself (store,
check, index, remove) is pipeline.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from uuid import UUID

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Document
from app.db.models.enums import DocumentStatus, Role
from app.domain import access, audit
from app.domain.knowledge import pipeline
from app.lib.errors import InvalidInput, NotFound
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.settings import Settings
from knowledge.documents import DocumentKind
from knowledge.loaders import LoadError
from knowledge.retrieval import Passage
from knowledge.store import KnowledgeStore


class KnowledgeService:
    def __init__(
        self, db: AsyncSession, identity: Identity, settings: Settings, knowledge: KnowledgeStore
    ) -> None:
        self.db = db
        self.identity = identity
        self.settings = settings
        self.knowledge = knowledge

    async def upload(self, filename: str, content: bytes, declared: pipeline.Declared) -> Document:
        """A checked document stored `pending` (the caller wakes the indexing worker once the
        transaction is committed); a bad file is refused at once, with what to fix."""
        self.identity.require_role(Role.ADMIN)
        if not filename:
            raise InvalidInput("Give the uploaded file a name (with its extension).", field="file")
        name = filename.replace("\\", "/").rsplit("/", 1)[-1][:300]
        max_bytes = self.settings.max_upload_bytes
        try:
            await anyio.to_thread.run_sync(pipeline.check, name, content, declared, max_bytes)
        except LoadError as exc:
            raise InvalidInput(exc.reason, field="file", code="document_rejected") from None
        stored = await pipeline.store(
            self.db,
            self.settings.uploads_dir,
            organization_id=self.identity.organization_id,
            name=name,
            data=content,
            declared=declared,
            max_bytes=max_bytes,
            uploaded_by=self.identity.user_id,
        )
        self._audit("document.upload", stored.document.id, outcome=stored.outcome)
        await self.db.flush()
        await self.db.refresh(stored.document)
        return stored.document

    async def documents(
        self, page: PageParams, status: DocumentStatus | None, *, newest_first: bool = False
    ) -> tuple[Sequence[Document], str | None]:
        self.identity.require_role(Role.ADMIN)
        statement = select(Document).where(access.in_tenant(Document, self.identity))
        if status is not None:
            statement = statement.where(Document.status == status)
        return await fetch_page(self.db, statement, Document.id, page, newest_first=newest_first)

    async def document(self, document_id: UUID) -> Document:
        self.identity.require_role(Role.ADMIN)
        return await access.one_in_tenant(
            self.db, Document, document_id, self.identity, what="document", field="document_id"
        )

    async def delete(self, document_id: UUID) -> None:
        document = await self.document(document_id)
        await pipeline.remove(self.db, self.knowledge, self.settings.uploads_dir, document)
        self._audit("document.delete", document_id)

    async def search(
        self,
        q: str,
        k: int,
        kinds: Sequence[DocumentKind],
        skill: str | None,
        mode: Literal["hybrid", "dense", "lexical"],
    ) -> list[Passage]:
        self.identity.require_role(Role.ADMIN, Role.COACH)
        if "\x00" in q:
            raise InvalidInput("The query contains a NUL character.", field="q")
        retriever = self.knowledge.organization(str(self.identity.organization_id)).retriever()
        return await anyio.to_thread.run_sync(
            lambda: retriever.search(q, k, kinds=kinds, skill=skill, mode=mode)
        )

    def passage(self, chunk_id: str) -> Passage:
        """A live passage of the organisation's knowledge, whoever in it asks."""
        organization = self.knowledge.organization(str(self.identity.organization_id))
        found = organization.live_chunks([chunk_id[:64]]).get(chunk_id)
        if found is None:
            raise NotFound(
                "No such passage (it may have been replaced by a newer version).", field="chunk_id"
            )
        return Passage(chunk=found, score=0.0, dense_rank=None, lexical_rank=None)

    def _audit(self, action: str, target_id: UUID, **data: str) -> None:
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action=action,
            target_type="document",
            target_id=target_id,
            **data,
        )
