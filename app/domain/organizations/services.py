from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Organization
from app.db.models.enums import Language, Role
from app.domain import audit
from app.domain.organizations.schemas import OrganizationPatch, Policy, version_of
from app.lib.errors import Conflict, NotFound, Stale
from app.lib.identity import Identity


class OrganizationService:
    """The caller's own organisation; there is no way to name another one."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def mine(self, *, for_update: bool = False) -> Organization:
        # For an update the row is locked until commit, so two saves carrying the same
        # If-Match cannot both pass the check: FOR UPDATE on PostgreSQL; SQLite has no row
        # locks, so a no-op write first takes its one write lock.
        if for_update and self.db.get_bind().dialect.name == "sqlite":
            await self.db.execute(
                update(Organization)
                .where(Organization.id == self.identity.organization_id)
                .values(slug=Organization.slug)
            )
        org = await self.db.get(
            Organization, self.identity.organization_id, with_for_update=for_update
        )
        if org is None:
            raise NotFound("Your organisation no longer exists.")
        return org

    async def update(self, data: OrganizationPatch, if_match: str | None) -> Organization:
        """Only the fields sent change, inside the policy too; a stale If-Match answers 412."""
        self.identity.require_role(Role.ADMIN)
        org = await self.mine(for_update=True)
        _check_version(if_match, version_of(org))
        if data.name is not None:
            org.name = data.name.strip()
        if data.default_language is not None:
            org.default_language = data.default_language
        if data.policy is not None:
            org.policy = data.policy.applied_to(Policy.load(org.policy)).dump()
        audit.record(
            self.db,
            organization_id=org.id,
            actor_id=self.identity.user_id,
            action="organization.update",
            target_type="organization",
            target_id=org.id,
        )
        await self.db.flush()
        await self.db.refresh(org)
        return org


def _check_version(if_match: str | None, current: str) -> None:
    if if_match is None:
        return
    wanted = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if "*" not in wanted and current not in wanted:
        raise Stale(
            "The organisation was changed since you read it (another admin saved). "
            "Read it again, then make your change.",
            field="If-Match",
        )


async def get_by_slug(db: AsyncSession, slug: str) -> Organization | None:
    org: Organization | None = await db.scalar(
        select(Organization).where(Organization.slug == slug)
    )
    return org


async def create_organization(
    db: AsyncSession, *, slug: str, name: str, default_language: Language
) -> Organization:
    if await get_by_slug(db, slug) is not None:
        raise Conflict(f"An organisation with slug '{slug}' already exists.", field="slug")
    org = Organization(
        slug=slug, name=name, default_language=default_language, policy=Policy().dump()
    )
    db.add(org)
    await db.flush()
    return org
