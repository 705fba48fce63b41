"""Escalations: the safety guard stopped a turn; the learner's coach sees and acknowledges it.

An escalation carries the category and when, never the message: the coach reads the
conversation only if the learner shared it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Escalation
from app.db.models.enums import EscalationStatus, Role
from app.domain import access, audit
from app.lib.clock import utcnow
from app.lib.errors import Conflict, NotFound
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.lib.pagination import PageParams, fetch_page
from app.lib.schema import Page


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


class EscalationController(Controller):
    path = "/api/v1/escalations"
    tags = ["escalations"]

    @get("/", summary="Escalations of my learners, oldest first (coach)")
    async def list_escalations(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
        status_filter: Annotated[EscalationStatus | None, QueryParameter(name="status")] = None,
    ) -> Page[EscalationOut]:
        """Safety escalations of the coach's learners, oldest first, filtered by status."""
        identity.require_role(Role.COACH)
        statement = select(Escalation).where(access.visible_escalations(identity))
        if status_filter is not None:
            statement = statement.where(Escalation.status == status_filter)
        items, cursor = await fetch_page(db_session, statement, Escalation.id, page)
        return Page(items=[EscalationOut.of(e) for e in items], next_cursor=cursor)

    @post(
        "/{escalation_id:uuid}/acknowledge",
        summary="Acknowledge an escalation (coach)",
        responses=errors(Conflict),
    )
    async def acknowledge(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        escalation_id: FromPath[UUID],
    ) -> EscalationOut:
        """Marks an escalation as seen by the coach. Acknowledging it twice answers 409."""
        identity.require_role(Role.COACH)
        found = await db_session.scalar(
            select(Escalation)
            .where(Escalation.id == escalation_id, access.visible_escalations(identity))
            .with_for_update()
        )
        if found is None:
            raise NotFound("No such escalation.", field="escalation_id")
        if found.status is EscalationStatus.ACKNOWLEDGED:
            raise Conflict("This escalation is already acknowledged.", field="escalation_id")
        found.status = EscalationStatus.ACKNOWLEDGED
        found.acknowledged_by_id = identity.user_id
        found.acknowledged_at = utcnow()
        audit.record(
            db_session,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="escalation.acknowledge",
            target_type="escalation",
            target_id=found.id,
        )
        await db_session.flush()
        await db_session.refresh(found)
        return EscalationOut.of(found)
