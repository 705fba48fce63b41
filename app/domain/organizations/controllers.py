from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, patch
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Organization
from app.db.models.enums import Role
from app.domain import audit
from app.domain.organizations.schemas import (
    OrganizationOut,
    OrganizationPatch,
    Policy,
    version_of,
)
from app.lib.errors import NotFound, Stale
from app.lib.identity import Identity
from app.lib.openapi import errors

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        description="The ETag (or `version`) you last read: a change saved since then answers "
        "412 instead of being overwritten.",
    ),
]


async def _my_organization(
    db: AsyncSession, identity: Identity, *, for_update: bool = False
) -> Organization:
    # For an update the row is locked until commit, so two saves carrying the same If-Match
    # cannot both pass the check: FOR UPDATE on PostgreSQL; SQLite has no row locks, so a
    # no-op write first takes its one write lock.
    if for_update and db.get_bind().dialect.name == "sqlite":
        await db.execute(
            update(Organization)
            .where(Organization.id == identity.organization_id)
            .values(slug=Organization.slug)
        )
    org = await db.get(Organization, identity.organization_id, with_for_update=for_update)
    if org is None:
        raise NotFound("Your organisation no longer exists.")
    return org


def _with_etag(out: OrganizationOut) -> Response[OrganizationOut]:
    return Response(out, headers={"ETag": f'"{out.version}"'})


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


class OrganizationController(Controller):
    """The caller's own organisation; there is no way to name another one."""

    path = "/api/v1/organization"
    tags = ["organization"]

    @get("/", summary="My organisation")
    async def get_mine(
        self, db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
    ) -> Response[OrganizationOut]:
        """The caller's organisation and its policy. Its `version`, also sent as ETag, goes back as
        If-Match on a change."""
        return _with_etag(OrganizationOut.of(await _my_organization(db_session, identity)))

    @patch(
        "/",
        summary="Change name, default language or parts of the policy (admin)",
        description="Only the fields sent change, inside `policy` too. With If-Match, a change "
        "saved by someone else since you read the organisation answers 412.",
        responses=errors(Stale),
    )
    async def update(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        data: JSONBody[OrganizationPatch],
        if_match: IfMatch = None,
    ) -> Response[OrganizationOut]:
        identity.require_role(Role.ADMIN)
        org = await _my_organization(db_session, identity, for_update=True)
        _check_version(if_match, version_of(org))
        if data.name is not None:
            org.name = data.name.strip()
        if data.default_language is not None:
            org.default_language = data.default_language
        if data.policy is not None:
            org.policy = data.policy.applied_to(Policy.load(org.policy)).dump()
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
        return _with_etag(OrganizationOut.of(org))
