"""Knowledge documents of an organisation: stored first, then indexed (inline or by the worker).
The pipeline, for the API's service (services.py), the worker, the CLI and the demo.

A document's bytes are kept under data_dir/uploads until indexed, so a restart resumes pending
work. Failures are recorded on the row with a reason a person can act on; nothing of a failed
document is indexed, and its previous version (if any) stays served.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal
from uuid import UUID

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Document
from app.db.models.enums import DocumentStatus
from app.lib.errors import AppError
from app.lib.leases import JobTable
from knowledge.base import KnowledgeBusy
from knowledge.documents import SourceDocument
from knowledge.embeddings import EmbeddingError
from knowledge.errors import ReindexRequired
from knowledge.loaders import LoadError, load_document
from knowledge.store import KnowledgeStore

Outcome = Literal["added", "updated", "unchanged", "failed", "queued"]


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


@dataclass(frozen=True, slots=True)
class Declared:
    """Metadata given with the upload; it wins over the file's front matter."""

    kind: str | None = None
    language: str | None = None
    skill: str | None = None
    event_date: date | None = None

    def dump(self) -> str:
        return json.dumps(
            {
                k: v
                for k, v in (
                    ("kind", self.kind),
                    ("language", self.language),
                    ("skill", self.skill),
                    ("event_date", self.event_date.isoformat() if self.event_date else None),
                )
                if v
            }
        )

    @classmethod
    def load(cls, raw: str) -> Declared:
        values = json.loads(raw) if raw else {}
        day = values.get("event_date")
        return cls(
            kind=values.get("kind"),
            language=values.get("language"),
            skill=values.get("skill"),
            event_date=date.fromisoformat(day) if day else None,
        )


@dataclass(frozen=True, slots=True)
class IngestResult:
    document: Document
    outcome: Outcome


def _stored_path(uploads: Path, document: Document) -> Path:
    return uploads / str(document.organization_id) / f"{document.id}.bin"


async def store(
    db: AsyncSession,
    uploads: Path,
    *,
    organization_id: UUID,
    name: str,
    data: bytes,
    declared: Declared,
    max_bytes: int,
    uploaded_by: UUID | None = None,
) -> IngestResult:
    """Save the bytes and a pending row, unless this exact content is already indexed."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"{name} is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB. "
            "Split it into smaller documents.",
            field="file",
        )
    checksum = hashlib.sha256(data).hexdigest()
    document = await db.scalar(
        select(Document).where(Document.organization_id == organization_id, Document.name == name)
    )
    if (
        document is not None
        and document.checksum == checksum
        and document.declared == declared.dump()
        and document.status is DocumentStatus.INDEXED
    ):
        return IngestResult(document=document, outcome="unchanged")
    outcome: Outcome = "added" if document is None else "updated"
    if document is None:
        document = Document(organization_id=organization_id, name=name)
        db.add(document)
    document.checksum = checksum
    document.size_bytes = len(data)
    document.declared = declared.dump()
    document.status = DocumentStatus.PENDING
    document.error = ""
    document.uploaded_by_id = uploaded_by
    await db.flush()
    path = _stored_path(uploads, document)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)  # atomic: the worker never reads half a file
    return IngestResult(document=document, outcome=outcome)


def check(name: str, data: bytes, declared: Declared, max_bytes: int) -> SourceDocument:
    """Parse without indexing: bad files are refused before anything is stored."""
    return load_document(
        name,
        data,
        kind=declared.kind,
        language=declared.language,
        skill=declared.skill,
        event_date=declared.event_date,
        max_bytes=max_bytes,
    )


def _index_sync(
    knowledge: KnowledgeStore,
    uploads: Path,
    document: Document,
    max_bytes: int,
    progress: Callable[[int], None] | None,
) -> tuple[SourceDocument, int]:
    path = _stored_path(uploads, document)
    if not path.exists():
        raise LoadError("The uploaded file is missing from storage; upload it again.")
    declared = Declared.load(document.declared)
    source = load_document(
        document.name,
        path.read_bytes(),
        kind=declared.kind,
        language=declared.language,
        skill=declared.skill,
        event_date=declared.event_date,
        max_bytes=max_bytes,
    )
    version = document.version + 1
    indexed = knowledge.organization(str(document.organization_id)).index_document(
        source, document_id=str(document.id), version=version, progress=progress
    )
    # The bytes stay until the document is deleted: re-indexing (a new embedding model) needs them.
    return source, indexed.chunks


async def index(
    db: AsyncSession,
    knowledge: KnowledgeStore,
    uploads: Path,
    document: Document,
    *,
    max_bytes: int,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Load, chunk, embed and index a stored document (CPU work runs in a thread)."""
    document.status = DocumentStatus.PROCESSING
    try:
        source, chunks = await anyio.to_thread.run_sync(
            _index_sync, knowledge, uploads, document, max_bytes, progress
        )
    except (LoadError, EmbeddingError, ReindexRequired, KnowledgeBusy) as exc:
        _stored_path(uploads, document).unlink(missing_ok=True)
        document.status = DocumentStatus.FAILED
        document.error = exc.reason if isinstance(exc, LoadError) else str(exc)
        await db.flush()
        return "failed"
    document.status = DocumentStatus.INDEXED
    document.version += 1
    document.chunk_count = chunks
    document.title = source.title[:300]
    document.kind = source.kind.value
    document.language = source.language
    document.skill = source.skill[:100]
    document.event_date = source.event_date
    await db.flush()
    return "added"


async def ingest(
    db: AsyncSession,
    knowledge: KnowledgeStore,
    uploads: Path,
    *,
    organization_id: UUID,
    name: str,
    data: bytes,
    declared: Declared,
    max_bytes: int,
    uploaded_by: UUID | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Store and index at once (CLI, demo, small uploads)."""
    stored = await store(
        db,
        uploads,
        organization_id=organization_id,
        name=name,
        data=data,
        declared=declared,
        max_bytes=max_bytes,
        uploaded_by=uploaded_by,
    )
    if stored.outcome == "unchanged":
        return stored
    result = await index(
        db, knowledge, uploads, stored.document, max_bytes=max_bytes, progress=progress
    )
    return IngestResult(
        document=stored.document, outcome="failed" if result == "failed" else stored.outcome
    )


async def remove(
    db: AsyncSession, knowledge: KnowledgeStore, uploads: Path, document: Document
) -> None:
    await anyio.to_thread.run_sync(
        knowledge.organization(str(document.organization_id)).remove_document, str(document.id)
    )
    _stored_path(uploads, document).unlink(missing_ok=True)
    await db.delete(document)
    await db.flush()


async def reindex_organization(
    db: AsyncSession,
    knowledge: KnowledgeStore,
    uploads: Path,
    organization_id: UUID,
    *,
    max_bytes: int,
    progress: Callable[[Document], None] | None = None,
) -> list[IngestResult]:
    """Drop the organisation's indexes and rebuild them from the stored documents."""
    await anyio.to_thread.run_sync(knowledge.drop_organization, str(organization_id))
    documents = (
        await db.scalars(
            select(Document)
            .where(Document.organization_id == organization_id)
            .order_by(Document.id)
        )
    ).all()
    results = []
    for document in documents:
        if progress:
            progress(document)
        outcome = await index(db, knowledge, uploads, document, max_bytes=max_bytes)
        results.append(IngestResult(document=document, outcome=outcome))
    return results


# Indexing is not fenced: its result is idempotent. The passages of a document are keyed by its
# id and made live by replacing the previous ones in one transaction, and the row ends indexed
# (or failed, for the same bytes) whoever wrote it last; a take-over costs a second indexing,
# never a second copy. (And one process owns a knowledge directory: knowledge/base.py.)
DOCUMENT_JOBS = JobTable(
    model=Document,
    running=DocumentStatus.PROCESSING,
    queued=DocumentStatus.PENDING,
    due_statuses=(DocumentStatus.PENDING,),
)
