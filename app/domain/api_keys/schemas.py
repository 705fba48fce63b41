from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from app.db.models import ApiKey
from app.db.models.enums import ApiScope
from app.lib.schema import Name


class ApiKeyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    # Whom the key acts for: always its creator. Accepted only when it names the caller, so an
    # old client sending its own id still works, and any other id is refused (403).
    user_id: UUID | None = None
    scopes: Annotated[list[ApiScope], msgspec.Meta(min_length=1, max_length=2)] = msgspec.field(
        default_factory=lambda: [ApiScope.READ, ApiScope.WRITE]
    )


class ApiKeyOut(msgspec.Struct):
    id: UUID
    name: str
    prefix: str
    user_id: UUID
    scopes: list[str]
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, k: ApiKey) -> ApiKeyOut:
        return cls(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            user_id=k.user_id,
            scopes=k.scopes,
            last_used_at=k.last_used_at,
            revoked_at=k.revoked_at,
            created_at=k.created_at,
        )


class ApiKeyCreated(msgspec.Struct):
    """Returned once, at creation: `secret` is never shown again."""

    key: ApiKeyOut
    secret: str
