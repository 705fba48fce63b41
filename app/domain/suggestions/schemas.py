from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from app.db.models import Answer, Suggestion
from app.db.models.enums import Language, QuestionScale, SuggestionKind, SuggestionState
from app.lib.schema import (
    NON_BLANK,
    AwareDatetime,
    LongText,
    RequiredText,
    ShortText,
    Skill,
    check_utc_range,
)


class Citation(msgspec.Struct):
    chunk_id: str
    document_id: str | None = None
    title: str = ""
    quote: str = ""


class SuggestionOut(msgspec.Struct):
    """What the coach sees in the review queue."""

    id: UUID
    learner_id: UUID
    session_id: UUID | None
    run_id: UUID | None
    kind: SuggestionKind
    text: str
    rationale: str
    citations: list[dict[str, Any]]
    skill: str
    language: Language
    state: SuggestionState
    deliver_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime
    # A question about a company event: its document, and `prepare` or `debrief`.
    event_document_id: UUID | None = None
    event_phase: str | None = None

    @classmethod
    def of(cls, s: Suggestion) -> SuggestionOut:
        return cls(
            id=s.id,
            learner_id=s.learner_id,
            session_id=s.session_id,
            run_id=s.run_id,
            kind=s.kind,
            text=s.text,
            rationale=s.rationale,
            citations=s.citations,
            skill=s.skill,
            language=s.language,
            state=s.state,
            deliver_at=s.deliver_at,
            delivered_at=s.delivered_at,
            created_at=s.created_at,
            updated_at=s.updated_at,
            event_document_id=s.event_document_id,
            event_phase=s.event_phase,
        )


class FeedItemOut(msgspec.Struct):
    """What a learner sees: the approved text and its sources, not the coach's rationale."""

    id: UUID
    kind: SuggestionKind
    text: str
    citations: list[dict[str, Any]]
    skill: str
    language: Language
    delivered_at: datetime | None

    @classmethod
    def of(cls, s: Suggestion) -> FeedItemOut:
        return cls(
            id=s.id,
            kind=s.kind,
            text=s.text,
            citations=s.citations,
            skill=s.skill,
            language=s.language,
            delivered_at=s.delivered_at,
        )


class ApproveIn(msgspec.Struct, forbid_unknown_fields=True):
    deliver_at: AwareDatetime | None = None

    def __post_init__(self) -> None:
        check_utc_range("deliver_at", self.deliver_at)


class EditIn(msgspec.Struct, forbid_unknown_fields=True):
    text: RequiredText
    deliver_at: AwareDatetime | None = None

    def __post_init__(self) -> None:
        check_utc_range("deliver_at", self.deliver_at)


class RejectIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2_000, pattern=NON_BLANK)]


class BatchIn(msgspec.Struct, forbid_unknown_fields=True):
    ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=100)]
    decision: Literal["approve", "reject"]
    reason: ShortText = ""
    deliver_at: AwareDatetime | None = None

    def __post_init__(self) -> None:
        check_utc_range("deliver_at", self.deliver_at)


class BatchOut(msgspec.Struct):
    items: list[SuggestionOut]


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    text: RequiredText


class AnswerOut(msgspec.Struct):
    id: UUID
    suggestion_id: UUID
    learner_id: UUID
    text: str
    created_at: datetime

    @classmethod
    def of(cls, a: Answer) -> AnswerOut:
        return cls(
            id=a.id,
            suggestion_id=a.suggestion_id,
            learner_id=a.learner_id,
            text=a.text,
            created_at=a.created_at,
        )


class SaveToBankIn(msgspec.Struct, forbid_unknown_fields=True):
    scale: QuestionScale | None = None
    skill: Skill | None = None


class DraftItem(msgspec.Struct):
    """One item an agent (or the demo) proposes; becomes a pending_review suggestion."""

    kind: SuggestionKind
    text: LongText
    rationale: str = ""
    citations: list[dict[str, Any]] = msgspec.field(default_factory=list)
    skill: str = ""
    language: Language = Language.FR
