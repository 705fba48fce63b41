"""API keys: organisation-scoped, stored hashed, revocable, and always acting for the person who
created them: nobody, an admin included, can mint a credential for someone else (an admin who
could would read learners' conversations and journals through it).

Everyone manages their own keys; an admin also lists and revokes every key of the organisation
(revoking takes power away, it gives none)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import ApiKey
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.api_keys.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from app.lib.clock import utcnow
from app.lib.errors import Forbidden, NotFound
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.schema import Page
from app.lib.security import new_api_key


class ApiKeyController(Controller):
    path = "/api/v1/api-keys"
    tags = ["api keys"]

    @get("/", summary="My keys (an admin: every key of the organisation)")
    async def list_keys(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
    ) -> Page[ApiKeyOut]:
        """The caller's API keys without their secrets (an admin sees every key of the
        organisation)."""
        statement = select(ApiKey).where(access.in_tenant(ApiKey, identity))
        if identity.role is not Role.ADMIN:
            statement = statement.where(ApiKey.user_id == identity.user_id)
        items, cursor = await fetch_page(db_session, statement, ApiKey.id, page)
        return Page(items=[ApiKeyOut.of(k) for k in items], next_cursor=cursor)

    @post("/", summary="Create a key acting for me; the secret is shown once")
    async def create(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        data: JSONBody[ApiKeyIn],
    ) -> ApiKeyCreated:
        """Creates an API key acting as the caller with the scopes asked. The secret is in this
        answer only: store it now."""
        subject = identity.user_id
        if data.user_id is not None and data.user_id != subject:
            raise Forbidden(
                "A key acts for the person who creates it: nobody can create one for someone "
                "else. Ask that person to create their own key.",
                field="user_id",
            )
        generated = new_api_key()
        key = ApiKey(
            organization_id=identity.organization_id,
            user_id=subject,
            created_by_id=identity.user_id,
            name=data.name.strip(),
            prefix=generated.prefix,
            secret_hash=generated.secret_hash,
            scopes=sorted({s.value for s in data.scopes}),
        )
        db_session.add(key)
        await db_session.flush()
        audit.record(
            db_session,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="api_key.create",
            target_type="api_key",
            target_id=key.id,
        )
        await db_session.refresh(key)
        return ApiKeyCreated(key=ApiKeyOut.of(key), secret=generated.secret)

    @delete("/{key_id:uuid}", summary="Revoke one of my keys (an admin: any of the organisation)")
    async def revoke(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        key_id: FromPath[UUID],
    ) -> None:
        """Revokes one of the caller's keys (an admin: any key of the organisation); it is refused
        from then on."""
        key = await access.one_in_tenant(
            db_session, ApiKey, key_id, identity, what="API key", field="key_id"
        )
        if identity.role is not Role.ADMIN and key.user_id != identity.user_id:
            raise NotFound("No such API key.", field="key_id")  # others' keys look absent
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            audit.record(
                db_session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                action="api_key.revoke",
                target_type="api_key",
                target_id=key.id,
            )
