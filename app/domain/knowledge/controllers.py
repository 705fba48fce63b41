"""Knowledge API: admins upload, list and delete documents; admins and coaches search;
everyone in the organisation can open a cited passage."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, MultipartBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import DocumentStatus
from app.domain.knowledge.pipeline import Declared
from app.domain.knowledge.schemas import DocumentOut, PassageOut, UploadForm
from app.domain.knowledge.services import KnowledgeService
from app.lib.background import Waker
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.lib.pagination import PageParams
from app.lib.schema import NO_NUL, Page
from app.settings import Settings
from knowledge.documents import DocumentKind
from knowledge.store import KnowledgeStore

# The route's own ceiling; the configured limit (max_upload_bytes) is checked in the service.
UPLOAD_CEILING_BYTES = 64 * 1024 * 1024


def provide_documents(
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    settings: NamedDependency[Settings],
    knowledge: NamedDependency[KnowledgeStore],
) -> KnowledgeService:
    return KnowledgeService(db_session, identity, settings, knowledge)


class KnowledgeController(Controller):
    path = "/api/v1/knowledge"
    tags = ["knowledge"]
    dependencies = {"documents": Provide(provide_documents, sync_to_thread=False)}

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
        documents: NamedDependency[KnowledgeService],
        ingestion_worker: NamedDependency[Waker],
        data: MultipartBody[UploadForm],
    ) -> DocumentOut:
        declared = Declared(
            kind=data.kind.value if data.kind else None,
            language=data.language,
            skill=(data.skill or "").strip()[:100] or None,
            event_date=data.event_date,
        )
        document = await documents.upload(data.file.filename, await data.file.read(), declared)
        ingestion_worker.wake()
        return DocumentOut.of(document)

    @get("/documents", summary="Documents and their indexing status (admin)")
    async def list_documents(
        self,
        documents: NamedDependency[KnowledgeService],
        page: NamedDependency[PageParams],
        status_filter: Annotated[DocumentStatus | None, QueryParameter(name="status")] = None,
    ) -> Page[DocumentOut]:
        """The organisation's uploaded documents and their indexing status, a page at a time. Admin
        only."""
        items, cursor = await documents.documents(page, status_filter)
        return Page(items=[DocumentOut.of(d) for d in items], next_cursor=cursor)

    @get("/documents/{document_id:uuid}", summary="One document's status (admin)")
    async def get_document(
        self, documents: NamedDependency[KnowledgeService], document_id: FromPath[UUID]
    ) -> DocumentOut:
        """One uploaded document and its indexing status (pending, processing, indexed, or failed
        with what to do). Admin only."""
        return DocumentOut.of(await documents.document(document_id))

    @delete(
        "/documents/{document_id:uuid}",
        summary="Delete a document and its passages (admin)",
        responses=errors(503),
    )
    async def delete_document(
        self, documents: NamedDependency[KnowledgeService], document_id: FromPath[UUID]
    ) -> None:
        """Deletes a document and its passages. Admin only. 503 when another process holds the
        knowledge store."""
        await documents.delete(document_id)

    @get(
        "/search",
        summary="Search the organisation's knowledge (admin, coach)",
        responses=errors(503),
    )
    async def search(
        self,
        documents: NamedDependency[KnowledgeService],
        q: Annotated[str, QueryParameter(min_length=1, max_length=1_000)],
        kind: Annotated[list[DocumentKind] | None, QueryParameter()] = None,
        skill: Annotated[str | None, QueryParameter(max_length=100, pattern=NO_NUL)] = None,
        k: Annotated[int, QueryParameter(ge=1, le=50)] = 5,
        mode: Annotated[Literal["hybrid", "dense", "lexical"], QueryParameter()] = "hybrid",
    ) -> list[PassageOut]:
        """Searches the organisation's indexed knowledge and returns the best passages. Coach or
        admin. 503 when the knowledge store cannot serve (an index to rebuild, embeddings that
        fail)."""
        return [PassageOut.of(p) for p in await documents.search(q, k, kind or (), skill, mode)]

    @get("/passages/{chunk_id:str}", summary="Open a cited passage (anyone in the organisation)")
    async def passage(
        self, documents: NamedDependency[KnowledgeService], chunk_id: FromPath[str]
    ) -> PassageOut:
        """The text of one passage of the organisation's knowledge, as cited by a draft or a reply;
        anyone in the organisation may open it."""
        return PassageOut.of(documents.passage(chunk_id))
