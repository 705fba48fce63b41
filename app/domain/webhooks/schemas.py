from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from app.db.models import WebhookDelivery, WebhookEndpoint
from app.lib.schema import ShortText

EventName = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class WebhookIn(msgspec.Struct, forbid_unknown_fields=True):
    url: ShortText
    events: Annotated[list[EventName], msgspec.Meta(min_length=1, max_length=10)]


class WebhookOut(msgspec.Struct):
    id: UUID
    url: str
    events: list[str]
    enabled: bool
    disabled_at: datetime | None
    failing_since: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, e: WebhookEndpoint) -> WebhookOut:
        return cls(
            id=e.id,
            url=e.url,
            events=list(e.events),
            enabled=e.enabled,
            disabled_at=e.disabled_at,
            failing_since=e.failing_since,
            created_at=e.created_at,
        )


class WebhookCreated(msgspec.Struct):
    """Returned once, at creation: `secret` is never shown again."""

    webhook: WebhookOut
    secret: str


class DeliveryOut(msgspec.Struct):
    id: UUID
    endpoint_id: UUID
    event_id: UUID
    event_type: str
    status: str  # pending | delivered | failed
    attempts: int
    last_status: int | None  # the receiver's last HTTP status, none if it never answered
    last_error: str
    next_attempt_at: datetime
    delivered_at: datetime | None
    replay_of_id: UUID | None
    payload: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=d.id,
            endpoint_id=d.endpoint_id,
            event_id=d.event_id,
            event_type=d.event_type,
            status=d.status,
            attempts=d.attempts,
            last_status=d.last_status,
            last_error=d.last_error,
            next_attempt_at=d.next_attempt_at,
            delivered_at=d.delivered_at,
            replay_of_id=d.replay_of_id,
            payload=d.payload,
            created_at=d.created_at,
        )
