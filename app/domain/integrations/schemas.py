from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from app.db.models import Integration
from app.db.models.enums import IntegrationScope
from app.lib.schema import Email, Name

Origin = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class IntegrationIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    # Pages allowed to embed the widget and call the chat from a browser, as origins
    # (`https://intranet.example.com`, no path); may be empty for a backend-only integration.
    allowed_origins: Annotated[list[Origin], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    scopes: Annotated[list[IntegrationScope], msgspec.Meta(min_length=1, max_length=5)] = (
        msgspec.field(default_factory=lambda: [IntegrationScope.CHAT_LEARNER])
    )


class IntegrationOut(msgspec.Struct):
    id: UUID
    name: str
    prefix: str
    allowed_origins: list[str]
    scopes: list[str]
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, i: Integration) -> IntegrationOut:
        return cls(
            id=i.id,
            name=i.name,
            prefix=i.prefix,
            allowed_origins=list(i.allowed_origins),
            scopes=list(i.scopes),
            last_used_at=i.last_used_at,
            revoked_at=i.revoked_at,
            created_at=i.created_at,
        )


class IntegrationCreated(msgspec.Struct):
    """Returned once, at creation: `secret` is never shown again."""

    integration: IntegrationOut
    secret: str


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    """The learner the token acts for: their id, or their e-mail address (one of the two)."""

    learner_id: UUID | None = None
    email: Email | None = None


class TokenOut(msgspec.Struct):
    token: str  # `Authorization: Bearer <token>` on the endpoints its scopes allow
    token_type: str
    expires_in: int  # seconds
    expires_at: datetime
    learner_id: UUID
    scopes: list[str]
