from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from app.db.models import Escalation
from app.db.models.enums import EscalationStatus


class EscalationOut(msgspec.Struct):
    id: UUID
    learner_id: UUID
    category: str
    detected_by: str
    stage: str
    status: EscalationStatus
    message_id: UUID | None
    created_at: datetime
    acknowledged_at: datetime | None
    tier: str = "urgent"  # urgent: raised by the guard; support: the learner asked

    @classmethod
    def of(cls, e: Escalation) -> EscalationOut:
        return cls(
            e.id,
            e.learner_id,
            e.category,
            e.detected_by,
            e.stage,
            e.status,
            e.message_id,
            e.created_at,
            e.acknowledged_at,
            e.tier,
        )
