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
            id=e.id,
            learner_id=e.learner_id,
            category=e.category,
            detected_by=e.detected_by,
            stage=e.stage,
            status=e.status,
            message_id=e.message_id,
            created_at=e.created_at,
            acknowledged_at=e.acknowledged_at,
            tier=e.tier,
        )
