from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class Companion(TenantMixin, Base):
    """Someone a learner chose to accompany one of their goals: a peer, a mentor, a relative.

    They have no account: a magic link (only its SHA-256 is kept) opens their page. Revoking
    clears the hash, so the link is dead at once; what they wrote stays the learner's.
    """

    __tablename__ = "companion"

    learner_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(320))
    relation: Mapped[str] = mapped_column(sa.String(16))  # peer|colleague|mentor|relative|other
    # The goal as the learner shared it, copied: a later change of goal is not shared unasked.
    goal: Mapped[str] = mapped_column(sa.Text)
    # Whether the coach may see this companion's name (otherwise "a peer", "a colleague"...).
    name_visible_to_coach: Mapped[bool] = mapped_column(default=False)
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True, default=None)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)


class FeedbackRequest(TenantMixin, Base):
    """A focused question the learner sends a companion; the learner wrote or accepted it."""

    __tablename__ = "feedback_request"

    companion_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("companion.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)


class CompanionFeedback(TenantMixin, Base):
    """A companion's answer: fact, effect, suggestion. The learner's to read, and to share."""

    __tablename__ = "companion_feedback"

    request_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("feedback_request.id", ondelete="CASCADE"), index=True
    )
    companion_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("companion.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    fact: Mapped[str] = mapped_column(sa.Text)
    effect: Mapped[str] = mapped_column(sa.Text)
    suggestion: Mapped[str] = mapped_column(sa.Text, default="")
    shared_with_coach: Mapped[bool] = mapped_column(default=False)
    # What the safety guard found in the text (tier, category), None for nothing.
    safety_tier: Mapped[str | None] = mapped_column(sa.String(16), default=None)
    safety_category: Mapped[str | None] = mapped_column(sa.String(32), default=None)


class CompanionSuggestion(TenantMixin, Base):
    """A coach's idea of whom a learner might ask ("a peer who saw you in the Monday
    meeting": a kind of person, never an address) and what. The learner turns it into an
    invitation (choosing the person and reviewing the question) or dismisses it; the coach
    sees which were taken up, not whom the learner asked."""

    __tablename__ = "companion_suggestion"

    learner_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    coach_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    who: Mapped[str] = mapped_column(sa.String(200))
    question: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")  # open|taken|dismissed
    # The invitation it became; the learner's to see, never shown to the coach.
    companion_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("companion.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
