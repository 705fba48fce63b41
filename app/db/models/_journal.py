from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class JournalEntry(TenantMixin, Base):
    """A learner's own note between sessions. Private unless the learner shares it."""

    __tablename__ = "journal_entry"

    learner_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    # The learner decides whether their coach may read this entry (as for conversations).
    shared_with_coach: Mapped[bool] = mapped_column(default=False)
