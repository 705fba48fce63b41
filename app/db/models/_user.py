from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin, enum_column
from app.db.models.enums import Language, Role


class User(TenantMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (sa.UniqueConstraint("organization_id", "email"),)

    email: Mapped[str] = mapped_column(sa.String(320))
    display_name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = enum_column(Role)
    locale: Mapped[Language] = enum_column(Language, default=Language.FR)
    # None for accounts that only act through API keys.
    password_hash: Mapped[str | None] = mapped_column(sa.String(256), default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Set when the person erased their account: the row stays, emptied, so the audit trail
    # and other people's records keep their references; everything they wrote is deleted.
    erased_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    # E-mail me when a new item from my coach arrives; the mails' one-click link turns it off.
    item_emails: Mapped[bool] = mapped_column(default=True)
    # In that link: it can only turn the e-mails off, so it is kept as is (made on first mail).
    unsubscribe_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True, default=None)
    # An IANA name (Europe/Paris); None: the installation's (settings.delivery_time_zone).
    time_zone: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    # SHA-256 of the secret in the person's calendar feed URL (app/domain/calendar); None: none.
    calendar_token_hash: Mapped[str | None] = mapped_column(
        sa.String(64), unique=True, default=None
    )


class LoginSession(TenantMixin, Base):
    """A web session: the cookie holds a random token, this row holds its SHA-256."""

    __tablename__ = "login_session"

    user_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
