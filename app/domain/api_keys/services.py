"""API keys: organisation-scoped, stored hashed, revocable, and always acting for the person who
created them: nobody, an admin included, can mint a credential for someone else (an admin who
could would read learners' conversations and journals through it).

Everyone manages their own keys; an admin also lists and revokes every key of the organisation
(`access.visible_api_keys`)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import ApiKey
from app.domain import access, audit
from app.domain.api_keys.schemas import ApiKeyIn
from app.lib.clock import utcnow
from app.lib.errors import Forbidden
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.security import new_api_key


class ApiKeyService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def list(
        self, page: PageParams, *, newest_first: bool = False
    ) -> tuple[Sequence[ApiKey], str | None]:
        statement = select(ApiKey).where(access.visible_api_keys(self.identity))
        return await fetch_page(self.db, statement, ApiKey.id, page, newest_first=newest_first)

    async def create(self, data: ApiKeyIn) -> tuple[ApiKey, str]:
        """The new key and its secret, which is not stored (only its hash is)."""
        subject = self.identity.user_id
        if data.user_id is not None and data.user_id != subject:
            raise Forbidden(
                "A key acts for the person who creates it: nobody can create one for someone "
                "else. Ask that person to create their own key.",
                field="user_id",
            )
        generated = new_api_key()
        key = ApiKey(
            organization_id=self.identity.organization_id,
            user_id=subject,
            created_by_id=self.identity.user_id,
            name=data.name.strip(),
            prefix=generated.prefix,
            secret_hash=generated.secret_hash,
            scopes=sorted({s.value for s in data.scopes}),
        )
        self.db.add(key)
        await self.db.flush()
        self._audit("api_key.create", key)
        await self.db.refresh(key)
        return key, generated.secret

    async def revoke(self, key_id: UUID) -> None:
        """Refused from then on; revoking a revoked key changes nothing."""
        key = await access.one_visible(
            self.db,
            ApiKey,
            key_id,
            access.visible_api_keys(self.identity),
            what="API key",
            field="key_id",
        )
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            self._audit("api_key.revoke", key)

    def _audit(self, action: str, key: ApiKey) -> None:
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action=action,
            target_type="api_key",
            target_id=key.id,
        )
