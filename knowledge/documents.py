"""The plain data the knowledge layer works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class DocumentKind(StrEnum):
    VALUE = "value"
    CULTURE = "culture"
    STRATEGY = "strategy"
    TEAM = "team"
    PROGRAM_MODULE = "program_module"
    EVENT = "event"
    QUESTION_BANK = "question_bank"


LANGUAGES = ("fr", "en")


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A loaded document: its text normalised to Markdown-like headings, and its metadata."""

    name: str  # a stable name within the organisation (a file path, an upload name)
    text: str
    title: str
    kind: DocumentKind
    language: str
    skill: str = ""
    event_date: date | None = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage with its exact source span, so a citation can show where it comes from."""

    id: str
    organization_id: str
    document_id: str
    document_name: str
    version: int
    position: int
    heading_path: tuple[str, ...]
    text: str
    start: int  # character offsets in the document's normalised text
    end: int
    kind: DocumentKind
    language: str
    skill: str = ""

    @property
    def title(self) -> str:
        return " › ".join(self.heading_path)
