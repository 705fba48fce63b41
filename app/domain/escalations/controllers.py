"""Escalations of the coach's learners: list them, acknowledge one (see services)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import EscalationStatus
from app.domain.escalations.schemas import EscalationOut
from app.domain.escalations.services import EscalationService
from app.lib.errors import Conflict
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.lib.pagination import PageParams
from app.lib.schema import Page


def provide_escalations(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> EscalationService:
    return EscalationService(db_session, identity)


class EscalationController(Controller):
    path = "/api/v1/escalations"
    tags = ["escalations"]
    dependencies = {"escalations": Provide(provide_escalations, sync_to_thread=False)}

    @get("/", summary="Escalations of my learners, oldest first (coach)")
    async def list_escalations(
        self,
        escalations: NamedDependency[EscalationService],
        page: NamedDependency[PageParams],
        status_filter: Annotated[EscalationStatus | None, QueryParameter(name="status")] = None,
    ) -> Page[EscalationOut]:
        """Safety escalations of the coach's learners, oldest first, filtered by status."""
        items, cursor = await escalations.list(page, status_filter)
        return Page(items=[EscalationOut.of(e) for e in items], next_cursor=cursor)

    @post(
        "/{escalation_id:uuid}/acknowledge",
        summary="Acknowledge an escalation (coach)",
        responses=errors(Conflict),
    )
    async def acknowledge(
        self, escalations: NamedDependency[EscalationService], escalation_id: FromPath[UUID]
    ) -> EscalationOut:
        """Marks an escalation as seen by the coach. Acknowledging it twice answers 409."""
        return EscalationOut.of(await escalations.acknowledge(escalation_id))
