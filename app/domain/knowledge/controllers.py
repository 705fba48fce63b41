"""Knowledge API: admins upload, list and delete documents; admins and coaches search;
everyone in the organisation can open a cited passage."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import anyio.to_thread
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, MultipartBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Document
from app.db.models.enums import DocumentStatus, Role
from app.domain import access, audit
from app.domain.knowledge import services
from app.domain.knowledge.schemas import DocumentOut, PassageOut, UploadForm
from app.lib.background import Waker
from app.lib.errors import InvalidInput, NotFound
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.lib.pagination import PageParams, fetch_page
from app.lib.schema import NO_NUL, Page
from app.settings import Settings
from knowledge.documents import DocumentKind
from knowledge.loaders import LoadError
from knowledge.retrieval import Passage
from knowledge.store import KnowledgeStore

# The route's own ceiling; the configured limit (max_upload_bytes) is checked in the service.
UPLOAD_CEILING_BYTES = 64 * 1024 * 1024


async def _document(db: AsyncSession, identity: Identity, document_id: UUID) -> Document:
    return await access.one_in_tenant(
        db, Document, document_id, identity, what="document", field="document_id"
    )


class KnowledgeController(Controller):
    path = "/api/v1/knowledge"
    tags = ["knowledge"]

    @post(
        "/documents",
        status_code=202,
        request_max_body_size=UPLOAD_CEILING_BYTES,
        summary="Upload a document (admin); it is indexed in the background",
        description="Bad files are refused at once (400, with what to fix). Accepted files answer "
        "202 with status `pending`: poll GET /documents/{id} until `indexed` or `failed`.",
    )
    async def upload(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        settings: NamedDependency[Settings],
        ingestion_worker: NamedDependency[Waker],
        data: MultipartBody[UploadForm],
    ) -> DocumentOut:
        identity.require_role(Role.ADMIN)
        if not data.file.filename:
            raise InvalidInput("Give the uploaded file a name (with its extension).", field="file")
        name = data.file.filename.replace("\\", "/").rsplit("/", 1)[-1][:300]
        content = await data.file.read()
        declared = services.Declared(
            kind=data.kind.value if data.kind else None,
            language=data.language,
            skill=(data.skill or "").strip()[:100] or None,
            event_date=data.event_date,
        )
        try:
            await anyio.to_thread.run_sync(
                services.check, name, content, declared, settings.max_upload_bytes
            )
        except LoadError as exc:
            raise InvalidInput(exc.reason, field="file", code="document_rejected") from None
        stored = await services.store(
            db_session,
            settings.uploads_dir,
            organization_id=identity.organization_id,
            name=name,
            data=content,
            declared=declared,
            max_bytes=settings.max_upload_bytes,
            uploaded_by=identity.user_id,
        )
        audit.record(
            db_session,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="document.upload",
            target_type="document",
            target_id=stored.document.id,
            outcome=stored.outcome,
        )
        await db_session.flush()
        await db_session.refresh(stored.document)
        ingestion_worker.wake()
        return DocumentOut.of(stored.document)

    @get("/documents", summary="Documents and their indexing status (admin)")
    async def list_documents(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
        status_filter: Annotated[DocumentStatus | None, QueryParameter(name="status")] = None,
    ) -> Page[DocumentOut]:
        """The organisation's uploaded documents and their indexing status, a page at a time. Admin
        only."""
        identity.require_role(Role.ADMIN)
        statement = select(Document).where(access.in_tenant(Document, identity))
        if status_filter is not None:
            statement = statement.where(Document.status == status_filter)
        items, cursor = await fetch_page(db_session, statement, Document.id, page)
        return Page(items=[DocumentOut.of(d) for d in items], next_cursor=cursor)

    @get("/documents/{document_id:uuid}", summary="One document's status (admin)")
    async def get_document(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        document_id: FromPath[UUID],
    ) -> DocumentOut:
        """One uploaded document and its indexing status (pending, processing, indexed, or failed
        with what to do). Admin only."""
        identity.require_role(Role.ADMIN)
        return DocumentOut.of(await _document(db_session, identity, document_id))

    @delete(
        "/documents/{document_id:uuid}",
        summary="Delete a document and its passages (admin)",
        responses=errors(503),
    )
    async def delete_document(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        knowledge: NamedDependency[KnowledgeStore],
        settings: NamedDependency[Settings],
        document_id: FromPath[UUID],
    ) -> None:
        """Deletes a document and its passages. Admin only. 503 when another process holds the
        knowledge store."""
        identity.require_role(Role.ADMIN)
        document = await _document(db_session, identity, document_id)
        await services.remove(db_session, knowledge, settings.uploads_dir, document)
        audit.record(
            db_session,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="document.delete",
            target_type="document",
            target_id=document_id,
        )

    @get(
        "/search",
        summary="Search the organisation's knowledge (admin, coach)",
        responses=errors(503),
    )
    async def search(
        self,
        identity: NamedDependency[Identity],
        knowledge: NamedDependency[KnowledgeStore],
        q: Annotated[str, QueryParameter(min_length=1, max_length=1_000)],
        kind: Annotated[list[DocumentKind] | None, QueryParameter()] = None,
        skill: Annotated[str | None, QueryParameter(max_length=100, pattern=NO_NUL)] = None,
        k: Annotated[int, QueryParameter(ge=1, le=50)] = 5,
        mode: Annotated[Literal["hybrid", "dense", "lexical"], QueryParameter()] = "hybrid",
    ) -> list[PassageOut]:
        """Searches the organisation's indexed knowledge and returns the best passages. Coach or
        admin. 503 when the knowledge store cannot serve (an index to rebuild, embeddings that
        fail)."""
        identity.require_role(Role.ADMIN, Role.COACH)
        if "\x00" in q:
            raise InvalidInput("The query contains a NUL character.", field="q")
        retriever = knowledge.organization(str(identity.organization_id)).retriever()
        passages = await anyio.to_thread.run_sync(
            lambda: retriever.search(q, k, kinds=kind or (), skill=skill, mode=mode)
        )
        return [PassageOut.of(p) for p in passages]

    @get("/passages/{chunk_id:str}", summary="Open a cited passage (anyone in the organisation)")
    async def passage(
        self,
        identity: NamedDependency[Identity],
        knowledge: NamedDependency[KnowledgeStore],
        chunk_id: FromPath[str],
    ) -> PassageOut:
        """The text of one passage of the organisation's knowledge, as cited by a draft or a reply;
        anyone in the organisation may open it."""
        organization = knowledge.organization(str(identity.organization_id))
        found = organization.live_chunks([chunk_id[:64]]).get(chunk_id)
        if found is None:
            raise NotFound(
                "No such passage (it may have been replaced by a newer version).", field="chunk_id"
            )
        return PassageOut.of(Passage(found, 0.0, None, None))
