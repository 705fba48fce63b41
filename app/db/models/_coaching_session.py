from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class CoachingSession(TenantMixin, Base):
    """A session the coach held and logged. `notes` are the coach's own and stay coach-only."""

    __tablename__ = "coaching_session"

    enrollment_id: Mapped[UUID] = mapped_column(sa.ForeignKey("enrollment.id"), index=True)
    coach_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    learner_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    held_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    # When the next one is, if known: the plan's items are spread until then.
    next_session_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    goal: Mapped[str] = mapped_column(sa.Text, default="")
    focus_skills: Mapped[list[str]] = mapped_column(JsonB, default=list)
    agreed_actions: Mapped[list[str]] = mapped_column(JsonB, default=list)
