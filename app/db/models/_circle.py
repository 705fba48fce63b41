from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class Circle(TenantMixin, Base):
    """A peer circle (co-development): 4 to 8 learners of one organisation and a facilitator,
    a coach or an admin, who runs its sessions and approves what the agent drafts for it."""

    __tablename__ = "circle"

    name: Mapped[str] = mapped_column(sa.String(200))
    facilitator_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")


class CircleMember(TenantMixin, Base):
    __tablename__ = "circle_member"
    __table_args__ = (sa.UniqueConstraint("circle_id", "learner_id", name="uq_circle_member"),)

    circle_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("circle.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )


class CircleSession(TenantMixin, Base):
    """One co-development session: a presenter, and the step the circle is at (0 to 5, see
    app/domain/circles/steps.py); `closed_at` once the last step is done."""

    __tablename__ = "circle_session"

    circle_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("circle.id", ondelete="CASCADE"), index=True
    )
    # Null once the presenter erased their account (the session's texts went with them).
    presenter_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True, default=None
    )
    step: Mapped[int] = mapped_column(default=0)
    step_started_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    # The presenter's between-session item made from their action plan, once made.
    item_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("suggestion.id", ondelete="SET NULL"), default=None
    )


class CircleContribution(TenantMixin, Base):
    """What a member wrote at one step: the presenter's situation, request and action plan,
    everyone's clarifying questions, suggestions and lessons. Read by the safety guard."""

    __tablename__ = "circle_contribution"

    session_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("circle_session.id", ondelete="CASCADE"), index=True
    )
    circle_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("circle.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    safety_tier: Mapped[str | None] = mapped_column(sa.String(16), default=None)
    safety_category: Mapped[str | None] = mapped_column(sa.String(32), default=None)


class CircleDraft(TenantMixin, Base):
    """What the agent drafted for the circle (clarifying questions, the synthesis). Members
    see it only once the facilitator approved or edited it: `state` is the gate."""

    __tablename__ = "circle_draft"

    session_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("circle_session.id", ondelete="CASCADE"), index=True
    )
    circle_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("circle.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))  # questions | synthesis
    text: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16), default="pending_review")
    reviewed_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
