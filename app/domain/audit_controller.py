"""The audit trail, for admins: who did what, when. Ids and states, no content."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AuditEvent
from app.db.models.enums import Role
from app.domain import access
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.schema import NO_NUL, Page


class AuditEventOut(msgspec.Struct):
    id: UUID
    actor_id: UUID | None
    action: str
    target_type: str
    target_id: UUID | None
    data: dict[str, Any]
    created_at: datetime


class AuditController(Controller):
    path = "/api/v1/audit-events"
    tags = ["audit"]

    @get("/", summary="Audit trail, newest first (admin)")
    async def list_events(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
        action: Annotated[
            str | None, QueryParameter(name="action", max_length=64, pattern=NO_NUL)
        ] = None,
    ) -> Page[AuditEventOut]:
        """The organisation's audit trail, newest first, filtered by action. Admin only."""
        identity.require_role(Role.ADMIN)
        statement = select(AuditEvent).where(access.in_tenant(AuditEvent, identity))
        if action:
            statement = statement.where(AuditEvent.action == action)
        items, cursor = await fetch_page(
            db_session, statement, AuditEvent.id, page, newest_first=True
        )
        return Page(
            items=[
                AuditEventOut(
                    id=e.id,
                    actor_id=e.actor_id,
                    action=e.action,
                    target_type=e.target_type,
                    target_id=e.target_id,
                    data=e.data,
                    created_at=e.created_at,
                )
                for e in items
            ],
            next_cursor=cursor,
        )
