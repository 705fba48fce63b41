"""The audit trail, for admins: who did what, when. Ids and states, no content."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AuditEvent
from app.domain.audit import AuditTrail
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import NO_NUL, Page


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


def provide_audit_trail(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> AuditTrail:
    return AuditTrail(db_session, identity)


class AuditController(Controller):
    path = "/api/v1/audit-events"
    tags = ["audit"]
    dependencies = {"audit_trail": Provide(provide_audit_trail, sync_to_thread=False)}

    @get("/", summary="Audit trail, newest first (admin)")
    async def list_events(
        self,
        audit_trail: NamedDependency[AuditTrail],
        page: NamedDependency[PageParams],
        action: Annotated[
            str | None, QueryParameter(name="action", max_length=64, pattern=NO_NUL)
        ] = None,
    ) -> Page[AuditEventOut]:
        """The organisation's audit trail, newest first, filtered by action. Admin only."""
        items, cursor = await audit_trail.list(page, action)
        return Page(items=[AuditEventOut.of(e) for e in items], next_cursor=cursor)
