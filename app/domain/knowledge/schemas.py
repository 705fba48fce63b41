from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

from app.db.models import Document
from app.db.models.enums import DocumentStatus
from knowledge.documents import DocumentKind
from knowledge.retrieval import Passage


@dataclass
class UploadForm:
    """multipart/form-data: the file, and optionally what it is (front matter otherwise)."""

    file: UploadFile
    kind: DocumentKind | None = None
    language: Literal["fr", "en"] | None = None
    skill: str | None = None
    # The day of an event (kind `event`): questions to prepare it and draw lessons from it.
    event_date: date | None = None


class DocumentOut(msgspec.Struct):
    id: UUID
    name: str
    title: str
    kind: str
    language: str
    skill: str
    event_date: date | None
    status: DocumentStatus
    version: int
    chunk_count: int
    size_bytes: int
    error: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, d: Document) -> DocumentOut:
        return cls(
            id=d.id,
            name=d.name,
            title=d.title,
            kind=d.kind,
            language=d.language,
            skill=d.skill,
            event_date=d.event_date,
            status=d.status,
            version=d.version,
            chunk_count=d.chunk_count,
            size_bytes=d.size_bytes,
            error=d.error,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )


class PassageOut(msgspec.Struct):
    """A passage with its exact source span: what a citation opens."""

    chunk_id: str
    document_id: str
    document_name: str
    title: str
    heading_path: list[str]
    text: str
    start: int
    end: int
    kind: str
    language: str
    skill: str
    score: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None

    @classmethod
    def of(cls, passage: Passage) -> PassageOut:
        c = passage.chunk
        return cls(
            chunk_id=c.id,
            document_id=c.document_id,
            document_name=c.document_name,
            title=c.title,
            heading_path=list(c.heading_path),
            text=c.text,
            start=c.start,
            end=c.end,
            kind=c.kind.value,
            language=c.language,
            skill=c.skill,
            score=round(passage.score, 6),
            dense_rank=passage.dense_rank,
            lexical_rank=passage.lexical_rank,
        )
