"""Writing the audit trail (`record`, called by every service next to its state change) and
reading it (`AuditTrail`, admins)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AuditEvent
from app.db.models.enums import Role
from app.domain import access
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page


def record(
    session: AsyncSession,
    *,
    organization_id: UUID,
    actor_id: UUID | None,
    action: str,
    target_type: str,
    target_id: UUID | None,
    **data: Any,
) -> None:
    session.add(
        AuditEvent(
            organization_id=organization_id,
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            data=data,
        )
    )


class AuditTrail:
    """The trail as admins read it: their organisation's events, newest first."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def list(
        self, page: PageParams, action: str | None = None
    ) -> tuple[Sequence[AuditEvent], str | None]:
        self.identity.require_role(Role.ADMIN)
        statement = select(AuditEvent).where(access.in_tenant(AuditEvent, self.identity))
        if action:
            statement = statement.where(AuditEvent.action == action)
        return await fetch_page(self.db, statement, AuditEvent.id, page, newest_first=True)
