from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.circles.schemas import CircleExport
from app.domain.coaching.schemas import LearnerSessionOut
from app.domain.companions.schemas import CompanionExport, SuggestionOut
from app.domain.conversations.schemas import ConversationOut, MessageOut
from app.domain.journal.schemas import JournalEntryOut
from app.domain.people.schemas import EnrollmentOut, UserOut
from app.domain.suggestions.schemas import AnswerOut, FeedItemOut
from app.lib.schema import Email


class ConversationExport(msgspec.Struct):
    conversation: ConversationOut
    messages: list[MessageOut]


class LearnerExport(msgspec.Struct):
    """Everything Interlude holds that a learner may read about themselves, as they see it:
    only items a coach approved, sessions without the coach's private notes."""

    exported_at: datetime
    organization: str
    account: UserOut
    enrollments: list[EnrollmentOut]
    sessions: list[LearnerSessionOut]
    items: list[FeedItemOut]
    answers: list[AnswerOut]
    journal: list[JournalEntryOut]
    conversations: list[ConversationExport]
    # The people the learner invited, their questions and what they answered (no link).
    companions: list[CompanionExport]
    # What the coach suggested asking, and what became of it.
    companion_suggestions: list[SuggestionOut]
    # The peer circles the learner is in, and what they wrote there (not the others' words).
    circles: list[CircleExport]


class EraseIn(msgspec.Struct, forbid_unknown_fields=True):
    """`confirm`: the account's email address, typed again, so nobody erases by accident."""

    confirm: Email


class ErasedOut(msgspec.Struct):
    erased_at: datetime
    deleted: dict[str, int]
