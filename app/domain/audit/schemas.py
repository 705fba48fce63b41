"""The audit trail on the wire: ids and states, no content."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from app.db.models import AuditEvent


class AuditEventOut(msgspec.Struct):
    id: UUID
    actor_id: UUID | None
    action: str
    target_type: str
    target_id: UUID | None
    data: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventOut:
        return cls(
            id=e.id,
            actor_id=e.actor_id,
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            data=e.data,
            created_at=e.created_at,
        )
