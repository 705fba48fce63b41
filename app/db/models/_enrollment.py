from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class Enrollment(TenantMixin, Base):
    """A learner following a program with a coach: the link that gives a coach access."""

    __tablename__ = "enrollment"
    __table_args__ = (sa.UniqueConstraint("learner_id", "program_id"),)

    learner_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    coach_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    program_id: Mapped[UUID] = mapped_column(sa.ForeignKey("program.id"), index=True)
    goal: Mapped[str] = mapped_column(sa.Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
