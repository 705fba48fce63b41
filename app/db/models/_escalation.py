from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin, enum_column
from app.db.models.enums import EscalationStatus


class Escalation(TenantMixin, Base):
    """The safety guard stopped a conversation turn; the learner's coach is alerted.

    It records the category and where it was caught, never the message text: the coach opens
    the conversation only if the learner shared it.
    """

    __tablename__ = "escalation"

    learner_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    coach_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id"), index=True, default=None
    )
    message_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("message.id", ondelete="SET NULL"), default=None
    )
    category: Mapped[str] = mapped_column(sa.String(32))
    # urgent: raised by the guard; support: the learner asked that their coach be told.
    tier: Mapped[str] = mapped_column(sa.String(16), default="urgent", server_default="urgent")
    detected_by: Mapped[str] = mapped_column(sa.String(32))  # rules | classifier | model | learner
    stage: Mapped[str] = mapped_column(sa.String(16))  # message | reply | conversation
    status: Mapped[EscalationStatus] = enum_column(EscalationStatus, default=EscalationStatus.OPEN)
    acknowledged_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id"), default=None
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
