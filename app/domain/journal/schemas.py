from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from app.db.models import JournalEntry
from app.lib.schema import RequiredText


class JournalEntryOut(msgspec.Struct):
    id: UUID
    learner_id: UUID
    text: str
    shared_with_coach: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, entry: JournalEntry) -> JournalEntryOut:
        return cls(
            id=entry.id,
            learner_id=entry.learner_id,
            text=entry.text,
            shared_with_coach=entry.shared_with_coach,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
        )


class JournalEntryIn(msgspec.Struct, forbid_unknown_fields=True):
    text: RequiredText
    shared_with_coach: bool = False


class JournalEntryPatch(msgspec.Struct, forbid_unknown_fields=True):
    text: RequiredText | None = None
    shared_with_coach: bool | None = None
