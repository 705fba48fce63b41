from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from app.db.models import Conversation, Message
from app.db.models.enums import MessageRole, MessageStatus
from app.lib.schema import NO_NUL, NON_BLANK

Title = Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL)]
# The hard ceiling of the wire format; the configured limit (max_message_chars) is lower.
MessageText = Annotated[str, msgspec.Meta(min_length=1, max_length=100_000, pattern=NON_BLANK)]


class ConversationIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Title = ""
    shared_with_coach: bool = False


class ConversationPatch(msgspec.Struct, forbid_unknown_fields=True):
    title: Title | None = None
    shared_with_coach: bool | None = None


class ConversationOut(msgspec.Struct):
    id: UUID
    learner_id: UUID
    title: str
    shared_with_coach: bool
    created_at: datetime

    @classmethod
    def of(cls, c: Conversation) -> ConversationOut:
        return cls(
            id=c.id,
            learner_id=c.learner_id,
            title=c.title,
            shared_with_coach=c.shared_with_coach,
            created_at=c.created_at,
        )


class MessageIn(msgspec.Struct, forbid_unknown_fields=True):
    content: MessageText


class MessageOut(msgspec.Struct):
    id: UUID
    conversation_id: UUID
    role: MessageRole
    content: str
    status: MessageStatus
    citations: list[dict[str, Any]]
    created_at: datetime
    reply_to_id: UUID | None = None
    run_id: UUID | None = None
    error: str = ""  # why no reply could be written (status failed); retry to try again
    # On a reply the safety guard wrote: {"tier", "category", "coach"}; coach is alerted,
    # offered (POST .../tell-coach tells them), told, or never.
    safety: dict[str, str] | None = None

    @classmethod
    def of(cls, m: Message) -> MessageOut:
        return cls(
            id=m.id,
            conversation_id=m.conversation_id,
            role=m.role,
            content=m.content,
            status=m.status,
            citations=m.citations,
            created_at=m.created_at,
            reply_to_id=m.reply_to_id,
            run_id=m.run_id,
            error=m.error,
            safety=m.safety,
        )


class ChatTurnOut(msgspec.Struct):
    """The learner's stored message and the companion's reply (None when it failed: the
    message then says why, and POST .../retry asks again)."""

    message: MessageOut
    reply: MessageOut | None
