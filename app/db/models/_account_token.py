from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class AccountToken(TenantMixin, Base):
    """A single-use link that lets one person set their password: an invitation (the account
    has none yet) or a reset. Only a SHA-256 of the token is kept; the token itself travels in
    the e-mail (or is printed by the CLI) and nowhere else."""

    __tablename__ = "account_token"

    user_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(16))  # "invitation" | "reset"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
