"""API keys: each acts for the person who created it (rules in services)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.api_keys.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from app.domain.api_keys.services import ApiKeyService
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import Page


def provide_api_keys(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> ApiKeyService:
    return ApiKeyService(db_session, identity)


class ApiKeyController(Controller):
    path = "/api/v1/api-keys"
    tags = ["api keys"]
    dependencies = {"api_keys": Provide(provide_api_keys, sync_to_thread=False)}

    @get("/", summary="My keys (an admin: every key of the organisation)")
    async def list_keys(
        self, api_keys: NamedDependency[ApiKeyService], page: NamedDependency[PageParams]
    ) -> Page[ApiKeyOut]:
        """The caller's API keys without their secrets (an admin sees every key of the
        organisation)."""
        items, cursor = await api_keys.list(page)
        return Page(items=[ApiKeyOut.of(k) for k in items], next_cursor=cursor)

    @post("/", summary="Create a key acting for me; the secret is shown once")
    async def create(
        self, api_keys: NamedDependency[ApiKeyService], data: JSONBody[ApiKeyIn]
    ) -> ApiKeyCreated:
        """Creates an API key acting as the caller with the scopes asked. The secret is in this
        answer only: store it now."""
        key, secret = await api_keys.create(data)
        return ApiKeyCreated(key=ApiKeyOut.of(key), secret=secret)

    @delete("/{key_id:uuid}", summary="Revoke one of my keys (an admin: any of the organisation)")
    async def revoke(
        self, api_keys: NamedDependency[ApiKeyService], key_id: FromPath[UUID]
    ) -> None:
        """Revokes one of the caller's keys (an admin: any key of the organisation); it is refused
        from then on."""
        await api_keys.revoke(key_id)
