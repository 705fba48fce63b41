"""Webhooks: an admin registers endpoints for events, sees each delivery's last status and
replays one. Signing and retries: app/domain/webhooks/delivery.py; the README shows how a
receiver verifies a delivery."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.webhooks.schemas import DeliveryOut, WebhookCreated, WebhookIn, WebhookOut
from app.domain.webhooks.services import WebhookService
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import Page
from app.settings import Settings


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]

    @get("/", summary="The organisation's webhook endpoints (admins)")
    async def list_webhooks(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
    ) -> Page[WebhookOut]:
        """Each endpoint with its events, whether it is enabled, and since when it fails; never
        the secret."""
        items, cursor = await WebhookService(db_session, identity).list(page)
        return Page(items=[WebhookOut.of(e) for e in items], next_cursor=cursor)

    @post("/", summary="Register an endpoint for some events; its secret is shown once")
    async def create(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        settings: NamedDependency[Settings],
        data: JSONBody[WebhookIn],
    ) -> WebhookCreated:
        """Deliveries are signed with the secret returned here, once: keep it to verify
        `Interlude-Signature`."""
        service = WebhookService(db_session, identity)
        endpoint, secret = await service.create(data.url, data.events, settings)
        return WebhookCreated(webhook=WebhookOut.of(endpoint), secret=secret)

    @delete("/{webhook_id:uuid}", summary="Remove an endpoint and its deliveries")
    async def remove(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        webhook_id: FromPath[UUID],
    ) -> None:
        """Its pending deliveries are dropped; the audit log keeps that it existed."""
        await WebhookService(db_session, identity).delete(webhook_id)

    @post("/{webhook_id:uuid}/enable", status_code=200, summary="Enable a disabled endpoint")
    async def enable(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        webhook_id: FromPath[UUID],
    ) -> WebhookOut:
        """An endpoint disabled after a day of failures receives new events again."""
        return WebhookOut.of(await WebhookService(db_session, identity).enable(webhook_id))

    @get("/{webhook_id:uuid}/deliveries", summary="An endpoint's deliveries, newest first")
    async def deliveries(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
        webhook_id: FromPath[UUID],
    ) -> Page[DeliveryOut]:
        """Each delivery's status, attempts, the receiver's last HTTP status and error."""
        items, cursor = await WebhookService(db_session, identity).deliveries(webhook_id, page)
        return Page(items=[DeliveryOut.of(d) for d in items], next_cursor=cursor)

    @post("/deliveries/{delivery_id:uuid}/replay", summary="Send a delivery again (same event id)")
    async def replay(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        delivery_id: FromPath[UUID],
    ) -> DeliveryOut:
        """A copy is queued with the same event id, on which receivers dedupe."""
        return DeliveryOut.of(await WebhookService(db_session, identity).replay(delivery_id))
