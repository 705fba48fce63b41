from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Organization
from app.db.models.enums import Language
from app.domain.organizations.schemas import Policy
from app.lib.errors import Conflict


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
