from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin, enum_column
from app.db.models.enums import Language, ReviewOutcome, SuggestionKind, SuggestionState


class Suggestion(TenantMixin, Base):
    """An agent-drafted item for one learner. Its `state` is the approval gate."""

    __tablename__ = "suggestion"
    # The review queue: one organisation, one state, in id order (keyset pagination).
    __table_args__ = (
        sa.Index("ix_suggestion_queue", "organization_id", "state", "id"),
        # The announcer's scan: items due and not yet announced.
        sa.Index("ix_suggestion_announce", "announced_at", "deliver_at"),
        # The reminder's scan: announced long enough ago, not recalled yet.
        sa.Index("ix_suggestion_remind", "reminded_at", "announced_at"),
        # One draft per learner, event and phase, however many workers draft at once.
        sa.UniqueConstraint(
            "learner_id", "event_document_id", "event_phase", name="uq_suggestion_event"
        ),
    )

    learner_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    coach_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"))
    session_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("coaching_session.id"), index=True, default=None
    )
    run_id: Mapped[UUID | None] = mapped_column(sa.ForeignKey("agent_run.id"), default=None)
    kind: Mapped[SuggestionKind] = enum_column(SuggestionKind)
    text: Mapped[str] = mapped_column(sa.Text)
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    skill: Mapped[str] = mapped_column(sa.String(100), default="")
    language: Mapped[Language] = enum_column(Language, default=Language.FR)
    state: Mapped[SuggestionState] = enum_column(
        SuggestionState, default=SuggestionState.PENDING_REVIEW
    )
    deliver_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    # When the learner was told by e-mail that it arrived (or when that was decided against).
    announced_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    # When the learner was reminded of it, still unanswered, by e-mail (once; or decided against).
    reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    # A draft about a company event (app/domain/plans/events.py): which one, and whether it
    # prepares the event or draws lessons from it.
    event_document_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("document.id", ondelete="SET NULL"), default=None
    )
    event_phase: Mapped[str | None] = mapped_column(sa.String(16), default=None)


class ReviewDecision(TenantMixin, Base):
    """One change of a suggestion's state by its coach, with the text before and after."""

    __tablename__ = "review_decision"

    suggestion_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("suggestion.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"))
    decision: Mapped[ReviewOutcome] = enum_column(ReviewOutcome)
    text_before: Mapped[str] = mapped_column(sa.Text)
    text_after: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text, default="")


class Answer(TenantMixin, Base):
    """A learner's answer to a delivered reflection or question."""

    __tablename__ = "answer"

    suggestion_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("suggestion.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[UUID] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
