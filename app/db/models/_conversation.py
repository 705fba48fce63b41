from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin, enum_column
from app.db.models.enums import MessageRole, MessageStatus


class Conversation(TenantMixin, Base):
    __tablename__ = "conversation"

    learner_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    # The learner decides whether their coach may read this conversation.
    shared_with_coach: Mapped[bool] = mapped_column(default=False)


class Message(TenantMixin, Base):
    __tablename__ = "message"

    conversation_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MessageRole] = enum_column(MessageRole)
    content: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[MessageStatus] = enum_column(MessageStatus, default=MessageStatus.STORED)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    # An assistant message answers one learner message; a retry replaces a failed attempt.
    reply_to_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("message.id", ondelete="CASCADE"), index=True, default=None
    )
    run_id: Mapped[UUID | None] = mapped_column(sa.ForeignKey("agent_run.id"), default=None)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    # On a reply the safety guard wrote instead of coaching: {"tier", "category", "coach"},
    # where coach is alerted (urgent), offered / told (support) or never (out of scope).
    safety: Mapped[dict[str, Any] | None] = mapped_column(JsonB, default=None)
