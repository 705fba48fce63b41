"""Escalations: the safety guard stopped a turn; the learner's coach sees and acknowledges it.

An escalation carries the category and when, never the message: the coach reads the
conversation only if the learner shared it.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Escalation
from app.db.models.enums import EscalationStatus, Role
from app.domain import access, audit
from app.lib.clock import utcnow
from app.lib.errors import Conflict
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page


class EscalationService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def list(
        self, page: PageParams, status: EscalationStatus | None = None
    ) -> tuple[Sequence[Escalation], str | None]:
        """Oldest first: the one waiting longest comes first."""
        self.identity.require_role(Role.COACH)
        statement = select(Escalation).where(access.visible_escalations(self.identity))
        if status is not None:
            statement = statement.where(Escalation.status == status)
        return await fetch_page(self.db, statement, Escalation.id, page)

    async def urgent_open(self) -> int:
        """How many urgent alerts wait for this coach: the count every page's menu shows."""
        self.identity.require_role(Role.COACH)
        count = await self.db.scalar(
            select(func.count(Escalation.id)).where(
                access.visible_escalations(self.identity),
                Escalation.status == EscalationStatus.OPEN,
                Escalation.tier == "urgent",
            )
        )
        return int(count or 0)

    async def acknowledge(self, escalation_id: UUID) -> Escalation:
        """Once: a second acknowledgement is a conflict (the row is locked, so two coaches
        acknowledging at once cannot both succeed)."""
        self.identity.require_role(Role.COACH)
        found = await access.one_visible(
            self.db,
            Escalation,
            escalation_id,
            access.visible_escalations(self.identity),
            what="escalation",
            field="escalation_id",
            for_update=True,
        )
        if found.status is EscalationStatus.ACKNOWLEDGED:
            raise Conflict("This escalation is already acknowledged.", field="escalation_id")
        found.status = EscalationStatus.ACKNOWLEDGED
        found.acknowledged_by_id = self.identity.user_id
        found.acknowledged_at = utcnow()
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action="escalation.acknowledge",
            target_type="escalation",
            target_id=found.id,
        )
        await self.db.flush()
        await self.db.refresh(found)
        return found
