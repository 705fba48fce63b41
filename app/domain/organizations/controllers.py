from __future__ import annotations

from litestar import Controller, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Organization
from app.db.models.enums import Role
from app.domain import audit
from app.domain.organizations.schemas import OrganizationOut, OrganizationPatch
from app.lib.errors import NotFound
from app.lib.identity import Identity


async def _my_organization(db: AsyncSession, identity: Identity) -> Organization:
    org = await db.get(Organization, identity.organization_id)
    if org is None:
        raise NotFound("Your organisation no longer exists.")
    return org


class OrganizationController(Controller):
    """The caller's own organisation; there is no way to name another one."""

    path = "/api/v1/organization"
    tags = ["organization"]

    @get("/", summary="My organisation")
    async def get_mine(
        self, db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
    ) -> OrganizationOut:
        return OrganizationOut.of(await _my_organization(db_session, identity))

    @patch("/", summary="Change name, default language or policy (admin)")
    async def update(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        data: JSONBody[OrganizationPatch],
    ) -> OrganizationOut:
        identity.require_role(Role.ADMIN)
        org = await _my_organization(db_session, identity)
        if data.name is not None:
            org.name = data.name.strip()
        if data.default_language is not None:
            org.default_language = data.default_language
        if data.policy is not None:
            org.policy = data.policy.dump()
        audit.record(
            db_session,
            organization_id=org.id,
            actor_id=identity.user_id,
            action="organization.update",
            target_type="organization",
            target_id=org.id,
        )
        await db_session.flush()
        await db_session.refresh(org)
        return OrganizationOut.of(org)
