from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class Integration(TenantMixin, Base):
    """An integrator's tool (an intranet, an LMS) acting for the organisation's learners through
    short-lived tokens it asks for one learner at a time (app/domain/integrations).

    Its secret, shown once, is kept as a SHA-256 like an API key's. The signing key never leaves
    the server: it signs the integration's learner tokens, so revoking the integration (or
    deleting the row) ends every token it ever had at once.
    """

    __tablename__ = "integration"

    name: Mapped[str] = mapped_column(sa.String(200))
    prefix: Mapped[str] = mapped_column(sa.String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    signing_key: Mapped[str] = mapped_column(sa.String(100))
    allowed_origins: Mapped[list[str]] = mapped_column(JsonB, default=list)
    scopes: Mapped[list[str]] = mapped_column(JsonB, default=list)
    created_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
