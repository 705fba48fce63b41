from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class OutboundEmail(TenantMixin, Base):
    """An e-mail to send, written in the same transaction as what it announces (the outbox):
    nothing is lost if the process stops before sending, and the unique key sends it once.

    It names the person it is about (`learner_id`: a learner's alert, or anyone's invitation or
    password link), so erasing that person erases it.
    """

    __tablename__ = "outbound_email"

    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    learner_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True, default=None
    )
    to_address: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC, index=True)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    # A mail carrying a password link: its text is blanked once sent, so the database does
    # not keep a usable link (the token's hash alone stays, in account_token).
    erase_after_send: Mapped[bool] = mapped_column(sa.Boolean, default=False)
