"""The webhook worker: sends queued deliveries signed, retries with backoff, disables a dead
endpoint and tells the organisation's admins.

It follows the e-mail outbox (app/domain/notifications/outbox.py): due rows are claimed in a
short transaction by compare-and-set (their next attempt moved past a lease, so another worker
leaves them alone), posted at once with no transaction open, and each settled as soon as its
receiver answers. A worker killed between the claim and the settle leaves its rows to the next
worker once the lease has passed: nothing is lost; a receiver that answered in the instant
before the kill, before its answer was recorded, hears the event again, with the same
`Interlude-Event-Id`, on which it dedupes.

The clock is a parameter, so tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
import structlog
from opentelemetry.trace import Tracer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import User, WebhookDelivery, WebhookEndpoint
from app.db.models.enums import Role
from app.domain.notifications.outbox import queue_email
from app.lib.background import PollingLoop
from app.lib.clock import utcnow
from app.lib.leases import claim_outbox_row
from app.lib.tracing import NO_TRACER
from app.settings import Settings

log = structlog.get_logger("interlude.webhooks")
BATCH = 20
# A claimed delivery is left alone by other workers this long: more than a send can take (the
# timeout is at most 30 s), so only a worker that died leaves a delivery to another.
LEASE = timedelta(minutes=2)
SIGNATURE_HEADER = "Interlude-Signature"
EVENT_ID_HEADER = "Interlude-Event-Id"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Interlude-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def private_address(host: str) -> bool:
    """Loopback, private, link-local, reserved or unspecified: not a receiver on the internet."""
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return host.lower() == "localhost" or host.lower().endswith(".localhost")
    return not address.is_global or address.is_multicast


@dataclass(frozen=True, slots=True)
class Target:
    """Where a delivery may go: `address`, the vetted IP to connect to, or `refused`, why not."""

    address: str = ""
    refused: str = ""


async def vetted_target(url: str) -> Target:
    """Resolve the URL's host once and vet every address: checked at each delivery, since a
    name may come to resolve to the app's own network after the endpoint was registered."""
    host = urlsplit(url).hostname or ""
    if private_address(host):
        return Target(refused=f"refused: {host} is a private address")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as error:
        return Target(refused=f"cannot resolve {host}: {error}"[:500])
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or any(private_address(a) for a in addresses):
        return Target(refused=f"refused: {host} resolves to a private address")
    return Target(address=addresses[0])


async def refused_host(url: str) -> str:
    """Why this URL's host may not be called ('' if it may)."""
    return (await vetted_target(url)).refused


def pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The request aimed at the vetted address: its URL with the IP for host, the original
    Host header, and the name for TLS (SNI and certificate check). Connecting by name would
    resolve it again, and a name that answers a public address to the check and a private one
    to the connection (DNS rebinding) would reach the app's own network."""
    parts = urlsplit(url)
    ip = f"[{address}]" if ":" in address else address
    netloc = ip if parts.port is None else f"{ip}:{parts.port}"
    host = parts.hostname or ""
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return parts._replace(netloc=netloc).geturl(), {"Host": host_header}, {"sni_hostname": host}


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: UUID
    event_id: UUID
    event_type: str
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None
    error: str  # '' when delivered

    @property
    def delivered(self) -> bool:
        return not self.error


class DeliveryWorker:
    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        transport: httpx.AsyncBaseTransport | None = None,
        tracer: Tracer = NO_TRACER,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._transport = transport
        self._loop = PollingLoop(
            "webhooks", self.send_due, settings.webhook_poll_seconds, tracer=tracer
        )

    def wake(self) -> None:
        self._loop.wake()

    async def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def send_due(self) -> int:
        """Send what is due now; returns how many deliveries were tried."""
        now = self._clock()
        claimed = await self._claim_due(now)
        if not claimed:
            return 0
        timeout = httpx.Timeout(self._settings.webhook_timeout_s)
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, transport=self._transport
        ) as client:
            sends = [self._post_one(client, c) for c in claimed]
            # Each settled as soon as its receiver answers, not once the whole batch has: a
            # worker killed meanwhile sends again only what was still in flight, never what a
            # receiver had already taken (tests/integration/test_webhooks.py).
            for sent in asyncio.as_completed(sends):
                delivery_id, outcome = await sent
                async with self._sessions() as db, db.begin():
                    await self._settle(db, delivery_id, outcome, now)
        return len(claimed)

    async def _post_one(self, client: httpx.AsyncClient, claimed: Claimed) -> tuple[UUID, Outcome]:
        return claimed.delivery_id, await self._post(client, claimed)

    async def _claim_due(self, now: datetime) -> list[Claimed]:
        async with self._sessions() as db, db.begin():
            due = (
                await db.execute(
                    select(WebhookDelivery, WebhookEndpoint)
                    .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                    .where(
                        WebhookDelivery.status == "pending",
                        WebhookDelivery.next_attempt_at <= now,
                        WebhookEndpoint.enabled.is_(True),
                    )
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True, of=WebhookDelivery)
                )
            ).all()
            return [
                Claimed(
                    delivery_id=d.id,
                    event_id=d.event_id,
                    event_type=d.event_type,
                    url=e.url,
                    secret=e.secret,
                    body=encode(d.payload),
                )
                for d, e in due
                if await claim_outbox_row(db, WebhookDelivery, d.id, d.next_attempt_at, now + LEASE)
            ]

    async def _post(self, client: httpx.AsyncClient, claimed: Claimed) -> Outcome:
        url, extensions = claimed.url, dict[str, Any]()
        headers: dict[str, str] = {}
        if not self._settings.webhook_allow_private:
            target = await vetted_target(claimed.url)
            if target.refused:
                return Outcome(status=None, error=target.refused)
            url, headers, extensions = pinned(claimed.url, target.address)
        headers |= {
            "Content-Type": "application/json",
            "User-Agent": "Interlude-Webhooks/1",
            EVENT_ID_HEADER: str(claimed.event_id),
            "Interlude-Event-Type": claimed.event_type,
            SIGNATURE_HEADER: sign(claimed.secret, int(time.time()), claimed.body),
        }
        try:
            # Streamed and never read: a receiver's answer is its status, whatever its size.
            async with client.stream(
                "POST", url, content=claimed.body, headers=headers, extensions=extensions
            ) as response:
                status = response.status_code
        except httpx.HTTPError as error:
            return Outcome(status=None, error=f"{type(error).__name__}: {error}"[:500])
        if 200 <= status < 300:
            return Outcome(status=status, error="")
        return Outcome(status=status, error=f"HTTP {status}")

    async def _settle(
        self, db: AsyncSession, delivery_id: UUID, outcome: Outcome, now: datetime
    ) -> None:
        row = await db.get(WebhookDelivery, delivery_id)
        if row is None:  # its endpoint was deleted meanwhile
            return
        endpoint = await db.get(WebhookEndpoint, row.endpoint_id)
        row.attempts += 1
        row.last_status = outcome.status
        row.last_error = outcome.error
        if outcome.delivered:
            row.status, row.delivered_at = "delivered", now
            if endpoint is not None:
                endpoint.failing_since = None
            log.info("webhook_delivered", delivery_id=str(row.id), attempts=row.attempts)
            return
        s = self._settings
        if row.attempts >= s.webhook_max_attempts or endpoint is None or not endpoint.enabled:
            row.status = "failed"
        else:
            row.next_attempt_at = now + retry_delay(row.attempts, s)
        # The URL and the payload stay out of the log: the ids say which.
        log.warning(
            "webhook_failed",
            delivery_id=str(row.id),
            endpoint_id=str(row.endpoint_id),
            attempts=row.attempts,
            http_status=outcome.status,
        )
        if endpoint is None or not endpoint.enabled:
            return
        endpoint.failing_since = endpoint.failing_since or now
        if now - endpoint.failing_since >= timedelta(hours=s.webhook_disable_after_hours):
            await disable(db, endpoint, now)


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """The first delay after the first failure, doubling, at most the longest."""
    first = settings.webhook_first_retry_seconds
    seconds = min(
        first * 2 ** min(max(attempts - 1, 0), 30), settings.webhook_longest_retry_seconds
    )
    return timedelta(seconds=seconds)


async def disable(db: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Disable the endpoint (once, whichever worker gets here first), give up its pending
    deliveries (a replay sends one again) and e-mail the organisation's admins."""
    result = await db.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.enabled.is_(True))
        .values(enabled=False, disabled_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        return
    await db.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
        .values(status="failed", last_error="endpoint disabled")
        .execution_options(synchronize_session=False)
    )
    await db.refresh(endpoint)
    log.warning("webhook_endpoint_disabled", endpoint_id=str(endpoint.id))
    await _tell_admins(db, endpoint, now)


async def _tell_admins(db: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> None:
    admins = (
        await db.scalars(
            select(User).where(
                User.organization_id == endpoint.organization_id,
                User.role == Role.ADMIN,
                User.is_active.is_(True),
            )
        )
    ).all()
    since = endpoint.failing_since or now
    text = (
        "Hello,\n\n"
        f"The webhook endpoint {endpoint.url} failed every delivery since "
        f"{since:%Y-%m-%d %H:%M} UTC, so Interlude disabled it. Events are no longer sent "
        "to it. Once the receiver works again, enable it (POST /api/v1/webhooks/"
        f"{endpoint.id}/enable) and replay what it missed (its deliveries list each one).\n"
    )
    for admin in admins:
        if admin.email:
            await queue_email(
                db,
                organization_id=endpoint.organization_id,
                key=f"webhook-disabled:{endpoint.id}:{admin.id}",
                to=admin.email,
                subject="Interlude disabled a webhook endpoint that kept failing",
                text=text,
            )
