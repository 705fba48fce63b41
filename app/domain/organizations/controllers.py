from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, patch
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.organizations.schemas import OrganizationOut, OrganizationPatch
from app.domain.organizations.services import OrganizationService
from app.lib.errors import Stale
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


def provide_organization(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> OrganizationService:
    return OrganizationService(db_session, identity)


def _with_etag(out: OrganizationOut) -> Response[OrganizationOut]:
    return Response(out, headers={"ETag": f'"{out.version}"'})


class OrganizationController(Controller):
    """The caller's own organisation; there is no way to name another one."""

    path = "/api/v1/organization"
    tags = ["organization"]
    dependencies = {"organization": Provide(provide_organization, sync_to_thread=False)}

    @get("/", summary="My organisation")
    async def get_mine(
        self, organization: NamedDependency[OrganizationService]
    ) -> Response[OrganizationOut]:
        """The caller's organisation and its policy. Its `version`, also sent as ETag, goes back as
        If-Match on a change."""
        return _with_etag(OrganizationOut.of(await organization.mine()))

    @patch(
        "/",
        summary="Change name, default language or parts of the policy (admin)",
        description="Only the fields sent change, inside `policy` too. With If-Match, a change "
        "saved by someone else since you read the organisation answers 412.",
        responses=errors(Stale),
    )
    async def update(
        self,
        organization: NamedDependency[OrganizationService],
        data: JSONBody[OrganizationPatch],
        if_match: IfMatch = None,
    ) -> Response[OrganizationOut]:
        return _with_etag(OrganizationOut.of(await organization.update(data, if_match)))
