"""The audit trail, for admins: who did what, when. Ids and states, no content."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.schemas import AuditEventOut
from app.domain.audit.services import AuditTrail
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import NO_NUL, Page


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
