from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin, enum_column
from app.db.models.enums import Language, QuestionScale


class QuestionBankEntry(TenantMixin, Base):
    """A contextualization question the organisation reuses, approved by a person."""

    __tablename__ = "question_bank_entry"

    skill: Mapped[str] = mapped_column(sa.String(100), index=True)
    scale: Mapped[QuestionScale] = enum_column(QuestionScale)
    language: Mapped[Language] = enum_column(Language)
    text: Mapped[str] = mapped_column(sa.Text)
    approved_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id"), default=None
    )
    source_suggestion_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("suggestion.id", ondelete="SET NULL"), default=None
    )
