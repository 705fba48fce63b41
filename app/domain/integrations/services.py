"""Integrations: an admin creates one (allowed origins, scopes) and gets its secret once; the
integrator's backend trades the secret for a short-lived token acting for one learner of the
organisation; the token opens the endpoints its scopes name, and nothing else.

Every rule of tenancy is here: an integration is managed by its organisation's admins only, mints
tokens for its organisation's active learners only, and a token is checked against the
integration that signed it (revoked: refused; audience another organisation's: refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Integration, User
from app.db.models.enums import ApiScope, IntegrationScope, Role
from app.domain import access, audit
from app.domain.integrations import tokens
from app.domain.integrations.schemas import IntegrationIn, TokenIn, TokenOut
from app.domain.people.services import normalise_email
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput, NotFound, Unauthenticated
from app.lib.identity import INTEGRATION_SCOPE, Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.security import api_key_prefix, constant_time_equals, new_api_key, sha256_hex

LAST_USED_RESOLUTION = timedelta(minutes=1)
SECRET_TAG = "iti"  # noqa: S105 - the secrets' prefix, not a secret
# A learner token acts for the learner, within its integration's scopes: read and write.
TOKEN_API_SCOPES = frozenset(ApiScope)
NOT_VALID = "This integration secret is not valid. Check it, or ask your admin for a new one."


def checked_origin(origin: str) -> str:
    """`https://host[:port]`, lower case, nothing after: what a browser sends in `Origin`."""
    parts = urlsplit(origin.strip())
    if origin.strip() == "*" or "*" in origin:
        raise InvalidInput(
            "Wildcards are not allowed: list each origin that may embed Interlude.",
            field="allowed_origins",
        )
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise InvalidInput(
            f"{origin[:100]!r} is not an origin: give scheme and host (and port), such as "
            "https://intranet.example.com, without a path.",
            field="allowed_origins",
        )
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


class IntegrationService:
    """An admin's management of their organisation's integrations."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        identity.require_role(Role.ADMIN)
        self.db = db
        self.identity = identity

    def _audit(self, action: str, integration: Integration, **data: object) -> None:
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action=action,
            target_type="integration",
            target_id=integration.id,
            **data,
        )

    async def list(
        self, page: PageParams, *, newest_first: bool = False
    ) -> tuple[Sequence[Integration], str | None]:
        statement = select(Integration).where(access.in_tenant(Integration, self.identity))
        return await fetch_page(self.db, statement, Integration.id, page, newest_first=newest_first)

    async def get(self, integration_id: UUID) -> Integration:
        return await access.one_in_tenant(
            self.db,
            Integration,
            integration_id,
            self.identity,
            what="integration",
            field="integration_id",
        )

    async def create(self, data: IntegrationIn) -> tuple[Integration, str]:
        generated = new_api_key(SECRET_TAG)
        integration = Integration(
            organization_id=self.identity.organization_id,
            name=data.name.strip(),
            prefix=generated.prefix,
            secret_hash=generated.secret_hash,
            signing_key=tokens.new_signing_key(),
            allowed_origins=sorted({checked_origin(o) for o in data.allowed_origins}),
            scopes=sorted({s.value for s in data.scopes}),
            created_by_id=self.identity.user_id,
        )
        self.db.add(integration)
        await self.db.flush()
        self._audit(
            "integration.create",
            integration,
            scopes=integration.scopes,
            allowed_origins=integration.allowed_origins,
        )
        await self.db.refresh(integration)
        return integration, generated.secret

    async def revoke(self, integration_id: UUID) -> None:
        """Its secret and every token it was given are refused from now on."""
        integration = await self.get(integration_id)
        if integration.revoked_at is None:
            integration.revoked_at = utcnow()
            self._audit("integration.revoke", integration)


async def chat_widget(db: AsyncSession, integration_id: UUID) -> Integration | None:
    """The live integration whose learners' chat a widget frame serves, or None (revoked,
    unknown, or without that scope). Public: the frame's page carries no identity, and shows
    only the integration's allowed origins."""
    found = await db.get(Integration, integration_id)
    if (
        found is None
        or found.revoked_at is not None
        or IntegrationScope.CHAT_LEARNER.value not in found.scopes
    ):
        return None
    return found


async def integration_from_secret(db: AsyncSession, secret: str) -> Integration:
    prefix = api_key_prefix(secret, SECRET_TAG)
    found = None
    if prefix is not None:
        found = await db.scalar(select(Integration).where(Integration.prefix == prefix))
    if found is None or not constant_time_equals(found.secret_hash, sha256_hex(secret)):
        raise Unauthenticated(NOT_VALID)
    if found.revoked_at is not None:
        raise Unauthenticated("This integration was revoked. Ask your admin for a new one.")
    return found


async def mint_token(
    db: AsyncSession, integration: Integration, data: TokenIn, *, ttl_s: int, now: datetime
) -> TokenOut:
    """A token for one active learner of the integration's own organisation; anyone else (a
    coach, another organisation's learner, an unknown id) answers the same 404."""
    if (data.learner_id is None) == (data.email is None):
        raise InvalidInput("Name the learner by `learner_id` or by `email` (one of the two).")
    statement = select(User).where(
        User.organization_id == integration.organization_id,
        User.role == Role.LEARNER,
        User.is_active.is_(True),
    )
    if data.learner_id is not None:
        statement = statement.where(User.id == data.learner_id)
        field = "learner_id"
    else:
        statement = statement.where(User.email == normalise_email(data.email or ""))
        field = "email"
    learner = await db.scalar(statement)
    if learner is None:
        raise NotFound(
            "No active learner with this id or address in your organisation.", field=field
        )
    expires_at = now + timedelta(seconds=ttl_s)
    claims = tokens.LearnerClaims(
        integration_id=integration.id,
        organization_id=integration.organization_id,
        user_id=learner.id,
        scopes=frozenset(integration.scopes),
        expires_at=int(expires_at.timestamp()),
    )
    # As for API keys: a write per minute at most, not one per token.
    if integration.last_used_at is None or now - integration.last_used_at > LAST_USED_RESOLUTION:
        integration.last_used_at = now
    return TokenOut(
        token=tokens.sign(integration.signing_key, claims, now=now),
        token_type="Bearer",  # noqa: S106 - the scheme's name
        expires_in=ttl_s,
        expires_at=expires_at.replace(microsecond=0),
        learner_id=learner.id,
        scopes=sorted(claims.scopes),
    )


async def identity_from_token(db: AsyncSession, token: str, *, now: datetime) -> Identity:
    """The learner a token acts for, within its integration's current scopes (401 otherwise)."""
    try:
        integration = await db.get(Integration, tokens.key_id(token))
    except tokens.TokenRejected as rejected:
        raise Unauthenticated(str(rejected), code="invalid_token") from None
    if integration is None:
        raise Unauthenticated("This token's integration no longer exists.", code="invalid_token")
    try:
        claims = tokens.verify(
            token,
            signing_key=integration.signing_key,
            integration_id=integration.id,
            organization_id=integration.organization_id,
            now=now,
        )
    except tokens.TokenRejected as rejected:
        raise Unauthenticated(str(rejected), code="invalid_token") from None
    if integration.revoked_at is not None:
        raise Unauthenticated(
            "This token's integration was revoked: its tokens no longer work.",
            code="invalid_token",
        )
    learner = await db.get(User, claims.user_id)
    if (
        learner is None
        or learner.organization_id != integration.organization_id
        or learner.role is not Role.LEARNER
        or not learner.is_active
    ):
        raise Unauthenticated("This token's learner can no longer be served.", code="invalid_token")
    return Identity(
        organization_id=learner.organization_id,
        user_id=learner.id,
        role=Role.LEARNER,
        via="integration",
        scopes=TOKEN_API_SCOPES,
        integration_id=integration.id,
        # Scopes taken away from the integration since are taken from its tokens too.
        integration_scopes=claims.scopes & frozenset(integration.scopes),
        allowed_origins=tuple(integration.allowed_origins),
    )


def scope_of_route(opt: dict[str, object]) -> IntegrationScope | None:
    """The integration scope a route handler declared in its `opt` (none: tokens refused)."""
    value = opt.get(INTEGRATION_SCOPE)
    return value if isinstance(value, IntegrationScope) else None
