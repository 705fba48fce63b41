"""An organisation's webhook endpoints, managed by its admins only; every query is filtered by
the caller's organisation (another organisation's endpoint answers 404 like an unknown id)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import WebhookDelivery, WebhookEndpoint
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.webhooks.delivery import private_address
from app.domain.webhooks.events import EVENT_TYPES, wake_after_commit
from app.lib.clock import utcnow
from app.lib.errors import Conflict, InvalidInput
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.security import new_token
from app.settings import Settings


def checked_url(url: str, *, allow_private: bool) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("Give an http:// or https:// URL with a host name.", field="url")
    if not allow_private and private_address(parts.hostname):
        raise InvalidInput(
            "This URL points to a private or loopback address; give one reachable on the internet.",
            field="url",
        )
    return url


def checked_events(events: Sequence[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(
            f"Unknown event type {unknown[0]!r}; choose among {', '.join(EVENT_TYPES)}.",
            field="events",
        )
    return sorted(set(events))


class WebhookService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        identity.require_role(Role.ADMIN)
        self.db = db
        self.identity = identity

    def _audit(self, action: str, target_type: str, target_id: UUID, **data: object) -> None:
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            **data,
        )

    async def list(self, page: PageParams) -> tuple[Sequence[WebhookEndpoint], str | None]:
        statement = select(WebhookEndpoint).where(access.in_tenant(WebhookEndpoint, self.identity))
        return await fetch_page(self.db, statement, WebhookEndpoint.id, page)

    async def create(
        self, url: str, events: Sequence[str], settings: Settings
    ) -> tuple[WebhookEndpoint, str]:
        endpoint = WebhookEndpoint(
            organization_id=self.identity.organization_id,
            url=checked_url(url, allow_private=settings.webhook_allow_private),
            events=checked_events(events),
            secret=f"whsec_{new_token(32)}",
            created_by_id=self.identity.user_id,
        )
        self.db.add(endpoint)
        await self.db.flush()
        # The URL's host is recorded, the secret never.
        self._audit(
            "webhook.create",
            "webhook_endpoint",
            endpoint.id,
            events=endpoint.events,
            host=urlsplit(endpoint.url).hostname,
        )
        await self.db.refresh(endpoint)
        return endpoint, endpoint.secret

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint:
        return await access.one_in_tenant(
            self.db, WebhookEndpoint, endpoint_id, self.identity, what="webhook", field="webhook_id"
        )

    async def delete(self, endpoint_id: UUID) -> None:
        endpoint = await self.get(endpoint_id)
        self._audit("webhook.delete", "webhook_endpoint", endpoint.id)
        await self.db.delete(endpoint)

    async def enable(self, endpoint_id: UUID) -> WebhookEndpoint:
        endpoint = await self.get(endpoint_id)
        if not endpoint.enabled:
            endpoint.enabled, endpoint.disabled_at, endpoint.failing_since = True, None, None
            self._audit("webhook.enable", "webhook_endpoint", endpoint.id)
            await self.db.flush()
            await self.db.refresh(endpoint)
        return endpoint

    async def deliveries(
        self, endpoint_id: UUID, page: PageParams
    ) -> tuple[Sequence[WebhookDelivery], str | None]:
        endpoint = await self.get(endpoint_id)
        statement = select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id,
            access.in_tenant(WebhookDelivery, self.identity),
        )
        return await fetch_page(self.db, statement, WebhookDelivery.id, page, newest_first=True)

    async def replay(self, delivery_id: UUID) -> WebhookDelivery:
        """A copy queued now: the same event id (the receiver dedupes on it), a fresh attempt."""
        original = await access.one_in_tenant(
            self.db,
            WebhookDelivery,
            delivery_id,
            self.identity,
            what="delivery",
            field="delivery_id",
        )
        endpoint = await self.get(original.endpoint_id)
        if not endpoint.enabled:
            raise Conflict(
                "This webhook is disabled: enable it (POST /api/v1/webhooks/{id}/enable) "
                "before replaying its deliveries."
            )
        copy = WebhookDelivery(
            organization_id=original.organization_id,
            endpoint_id=original.endpoint_id,
            event_id=original.event_id,
            event_type=original.event_type,
            idempotency_key=f"{original.endpoint_id}:{original.event_id}:replay:{uuid4()}",
            payload=original.payload,
            next_attempt_at=utcnow(),
            replay_of_id=original.id,
        )
        self.db.add(copy)
        await self.db.flush()
        self._audit("webhook.replay", "webhook_delivery", copy.id, replay_of=str(original.id))
        await self.db.refresh(copy)
        wake_after_commit(self.db)
        return copy
