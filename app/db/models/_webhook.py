from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class WebhookEndpoint(TenantMixin, Base):
    """A URL an admin registered for some event types (app/domain/webhooks).

    The secret signs each delivery (HMAC), so it is kept as given, not hashed: it is shown once,
    at creation, and never logged nor returned afterwards.
    """

    __tablename__ = "webhook_endpoint"

    url: Mapped[str] = mapped_column(sa.String(2000))
    secret: Mapped[str] = mapped_column(sa.String(100))
    events: Mapped[list[str]] = mapped_column(JsonB, default=list)
    created_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    # The first failure since the last success; failing past the window disables the endpoint.
    failing_since: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)


class WebhookDelivery(TenantMixin, Base):
    """One event for one endpoint, written in the transaction of the event (the outbox): nothing
    is sent for a change rolled back, nothing lost if the process stops before sending.

    `event_id` names the event (a replay keeps it, so receivers dedupe on it); the unique
    `idempotency_key` makes a second queueing of the same event for the same endpoint a no-op.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    endpoint_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[UUID] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonB)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # |delivered|failed
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    last_status: Mapped[int | None] = mapped_column(sa.Integer, default=None)  # HTTP status
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    replay_of_id: Mapped[UUID | None] = mapped_column(default=None)  # the copied delivery
