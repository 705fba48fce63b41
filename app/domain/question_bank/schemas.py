from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from app.db.models import QuestionBankEntry
from app.db.models.enums import Language, QuestionScale
from app.lib.schema import RequiredText, Skill


class QuestionOut(msgspec.Struct):
    id: UUID
    skill: str
    scale: QuestionScale
    language: Language
    text: str
    approved_by_id: UUID | None
    source_suggestion_id: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, q: QuestionBankEntry) -> QuestionOut:
        return cls(
            id=q.id,
            skill=q.skill,
            scale=q.scale,
            language=q.language,
            text=q.text,
            approved_by_id=q.approved_by_id,
            source_suggestion_id=q.source_suggestion_id,
            created_at=q.created_at,
        )


class QuestionIn(msgspec.Struct, forbid_unknown_fields=True):
    skill: Skill
    scale: QuestionScale
    language: Language
    text: RequiredText
