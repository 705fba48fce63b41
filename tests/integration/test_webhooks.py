"""Webhooks end to end: events made through the API reach a real receiver on loopback that
fails every other request, each accepted once and none missing, signed; a worker killed
between claiming and sending loses nothing, and one killed with a delivery in flight resends
only that one; a dead endpoint is disabled after the window (the
clock moved) and its admins e-mailed; only admins of the organisation manage them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from app.db.models import AuditEvent, CoachingSession, WebhookDelivery
from app.domain.suggestions.services import create_drafts
from app.domain.webhooks.delivery import LEASE, DeliveryWorker, pinned, refused_host
from app.domain.webhooks.events import ANSWER_RECEIVED, enqueue
from app.lib.clock import utcnow
from app.settings import Settings
from tests.mail import Inbox, send_due
from tests.support import OrgWorld, draft_items, run_db, with_key
from tests.webhook_receiver import Receiver, receiver

ROOT = Path(__file__).resolve().parents[2]
W = "/api/v1/webhooks"
Q = "/api/v1/suggestions"
URGENT = "Je prépare ma réunion de jeudi, mais honnêtement je pense à mettre fin à mes jours."
POLICY = {"escalation_resources": [{"label": "Ligne d'écoute", "contact": "3114"}]}


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def _register(client: TestClient[Any], world: OrgWorld, hook: Receiver) -> str:
    response = with_key(client, world.admin).post(
        W,
        json={
            "url": hook.url,
            "events": [
                "draft.ready",
                "item.approved",
                "item.delivered",
                "answer.received",
                "alert.raised",
            ],
        },
    )
    assert response.status_code == 201, response.text
    hook.secret = response.json()["secret"]
    return str(response.json()["webhook"]["id"])


def _deliver(client: TestClient[Any], settings: Settings, at: datetime) -> int:
    """One pass of a delivery worker whose clock says `at`, on the app's own event loop."""
    configured = settings.model_copy(update={"webhook_allow_private": True})
    worker = DeliveryWorker(client.app.state.session_maker, configured, clock=lambda: at)
    return int(client.blocking_portal.call(worker.send_due))


def _queue_answers(settings: Settings, world: OrgWorld, count: int) -> list[UUID]:
    """Events queued from outside the app (no wake-up): only the test's workers send them."""
    subjects = [UUID(int=n + 1) for n in range(count)]

    async def work(db: Any) -> None:
        for subject in subjects:
            await enqueue(
                db,
                organization_id=world.id,
                event_type=ANSWER_RECEIVED,
                subject_id=subject,
                data={"answer_id": str(subject)},
            )

    run_db(settings, work)
    return subjects


def _deliveries(client: TestClient[Any], world: OrgWorld, webhook_id: str) -> list[Any]:
    response = with_key(client, world.admin).get(f"{W}/{webhook_id}/deliveries")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_every_event_reaches_a_flaky_receiver_once_and_signed(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    hooks: Receiver,
) -> None:
    client = start_app(
        webhook_allow_private=True,
        webhook_poll_seconds=0.1,
        webhook_first_retry_seconds=0.05,
        webhook_longest_retry_seconds=0.2,
    )
    alpha = worlds[0]
    webhook_id = _register(client, alpha, hooks)
    hooks.mode = "fail_every_other"
    learner = alpha.learners[0]
    coach, me = with_key(client, alpha.coach), with_key(client, learner)
    first, second, third, _ = alpha.draft_ids[learner.id]

    assert coach.post(f"{Q}/{first}/approve").status_code == 200
    assert coach.post(f"{Q}/{second}/edit", json={"text": "Reworded?"}).status_code == 200
    assert coach.post(f"{Q}/{third}/reject", json={"reason": "Off topic."}).status_code == 200
    assert len(me.get("/api/v1/feed").json()["items"]) == 2  # two items delivered
    assert me.post(f"/api/v1/feed/{first}/answers", json={"text": "SECRET ANSWER"}).status_code
    admin = with_key(client, alpha.admin)
    assert admin.patch("/api/v1/organization", json={"policy": POLICY}).status_code == 200
    conversation = me.post("/api/v1/conversations", json={}).json()["id"]
    me.post(f"/api/v1/conversations/{conversation}/messages", json={"content": URGENT})

    async def drafts(db: Any) -> None:
        session = await db.get(CoachingSession, alpha.session_ids[learner.id])
        await create_drafts(db, session=session, items=draft_items(alpha.canary, 2))

    run_db(settings, drafts)
    # approved 2, delivered 2, answer 1, alert 1, drafts 2
    hooks.wait_for(8)
    time.sleep(0.5)  # anything doubled would arrive now

    assert hooks.bad_signatures == 0
    assert all(count == 1 for count in hooks.accepted.values()), hooks.accepted
    assert hooks.requests > 8  # the receiver failed some, and they were tried again
    types = sorted(p["type"] for p in hooks.payloads.values())
    assert types == sorted(
        ["item.approved"] * 2
        + ["item.delivered"] * 2
        + ["answer.received", "alert.raised"]
        + ["draft.ready"] * 2
    )
    [alert] = [p for p in hooks.payloads.values() if p["type"] == "alert.raised"]
    assert alert["data"]["tier"] == "urgent"
    assert alert["data"]["category"] == "self_harm"
    assert alert["organization_id"] == str(alpha.id)
    for payload in hooks.payloads.values():  # ids, never what anyone wrote
        assert alpha.canary not in str(payload)
        assert "SECRET ANSWER" not in str(payload)
        assert "mettre fin" not in str(payload)
        assert "Reworded" not in str(payload)
    listed = _deliveries(client, alpha, webhook_id)
    assert {d["event_id"] for d in listed} == set(hooks.accepted)
    assert {(d["status"], d["last_status"]) for d in listed} == {("delivered", 204)}
    assert any(d["attempts"] > 1 for d in listed)


def test_a_worker_killed_mid_delivery_loses_nothing(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    hooks: Receiver,
    tmp_path: Path,
) -> None:
    # The app's own worker stays out of the way: its loop waits an hour, and events queued
    # from outside the app do not wake it.
    client = start_app(webhook_poll_seconds=3600, webhook_allow_private=True)
    alpha = worlds[0]
    _register(client, alpha, hooks)
    hooks.mode = "fail_every_other"
    _queue_answers(settings, alpha, 5)
    ready = tmp_path / "claimed"
    victim = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.webhook_victim", settings.resolved_database_url, str(ready)],
        cwd=ROOT,
        env={**os.environ, "INTERLUDE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert victim.poll() is None, "the victim process ended before claiming"
        assert time.monotonic() < deadline, "the victim never claimed the deliveries"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)

    now = utcnow()
    assert _deliver(client, settings, now) == 0  # claimed: left alone meanwhile
    assert hooks.requests == 0
    later = now + LEASE + timedelta(seconds=1)
    for _ in range(10):  # the receiver fails every other request: retries, clock moved
        _deliver(client, settings, later)
        later += timedelta(hours=1)
    assert len(hooks.accepted) == 5
    assert all(count == 1 for count in hooks.accepted.values()), hooks.accepted
    assert hooks.requests > 5


def _settled(settings: Settings) -> int:
    """Deliveries whose outcome a worker recorded (the first attempt counted)."""

    async def count(db: Any) -> int:
        rows = await db.scalars(select(WebhookDelivery).where(WebhookDelivery.attempts > 0))
        return len(rows.all())

    return run_db(settings, count)


def test_a_worker_killed_with_a_delivery_in_flight_loses_none_and_doubles_none(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    hooks: Receiver,
) -> None:
    """Issue #15's target: 0 lost and 0 doubled deliveries when the receiver fails half the
    time and the worker is killed mid-delivery. The worker is its own process, posting its batch
    of 5 over real HTTP; the receiver answers 4 of them (3 failures, 1 success), which the worker
    records as they come, and holds the 5th, which it will accept: the worker is killed there.

    What each event costs the receiver afterwards: the 4 settled ones are never sent twice; the
    one in flight is sent again with the same `Interlude-Event-Id` (the worker never heard the
    answer), which the receivers of the README dedupe on, so each event is acted on once. A
    worker cannot do better: the kill fell between the receiver acting and the worker knowing."""
    client = start_app(webhook_poll_seconds=3600, webhook_allow_private=True)
    alpha = worlds[0]
    _register(client, alpha, hooks)
    hooks.mode = "fail_every_other"
    hooks.hold = 4  # an even request: the receiver accepts it once released
    _queue_answers(settings, alpha, 5)
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.webhook_worker_process", settings.resolved_database_url],
        cwd=ROOT,
        env={**os.environ, "INTERLUDE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not (hooks.holding.is_set() and _settled(settings) == 4):
            assert worker.poll() is None, "the worker ended before the kill"
            assert time.monotonic() < deadline, "the worker never had 4 answers recorded"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    in_flight = hooks.held_event_id
    hooks.release.set()
    hooks.wait_for(2)  # the held request, accepted into a closed connection
    [taken_before] = [event for event in hooks.accepted if event != in_flight]

    later = utcnow() + LEASE + timedelta(seconds=1)  # the lease and every retry delay passed
    for _ in range(10):  # the receiver still fails every other request
        _deliver(client, settings, later)
        later += timedelta(hours=1)

    async def rows(db: Any) -> list[WebhookDelivery]:
        return list((await db.scalars(select(WebhookDelivery))).all())

    deliveries = run_db(settings, rows)
    assert {str(d.event_id) for d in deliveries} == set(hooks.accepted)  # 0 lost
    assert {d.status for d in deliveries} == {"delivered"}
    assert hooks.accepted[taken_before] == 1  # recorded before the kill: never sent again
    # The in-flight one heard twice, with its one event id: acted on once (0 doubled).
    assert {e: n for e, n in hooks.accepted.items() if n != 1} == {in_flight: 2}
    assert hooks.bad_signatures == 0


def test_a_dead_endpoint_is_disabled_after_the_window_and_its_admins_told(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    hooks: Receiver,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    client = start_app(webhook_poll_seconds=3600, webhook_allow_private=True)
    alpha = worlds[0]
    webhook_id = _register(client, alpha, hooks)
    hooks.mode = "fail"
    _queue_answers(settings, alpha, 1)
    start = utcnow()
    admin = with_key(client, alpha.admin)

    assert _deliver(client, settings, start) == 1
    assert _deliver(client, settings, start + timedelta(hours=23)) == 1
    [endpoint] = admin.get(W).json()["items"]
    assert endpoint["enabled"] is True
    assert endpoint["failing_since"] is not None
    [delivery] = _deliveries(client, alpha, webhook_id)
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == (
        "pending",
        2,
        500,
    )

    assert _deliver(client, settings, start + timedelta(hours=25)) == 1
    [endpoint] = admin.get(W).json()["items"]
    assert endpoint["enabled"] is False
    assert endpoint["disabled_at"] is not None
    [delivery] = _deliveries(client, alpha, webhook_id)
    assert delivery["status"] == "failed"
    assert _deliver(client, settings, start + timedelta(hours=30)) == 0  # nothing more sent
    send_due(client, settings, port, at=utcnow() + timedelta(days=2))
    [mail] = inbox.about("disabled a webhook")
    assert mail["To"] == alpha.admin.email
    assert hooks.url in inbox.text_of(mail)

    # Replayed once enabled again: the same event id, delivered on a healthy receiver.
    replay = admin.post(f"{W}/deliveries/{delivery['id']}/replay")
    assert replay.status_code == 409
    assert admin.post(f"{W}/{webhook_id}/enable").json()["enabled"] is True
    replay = admin.post(f"{W}/deliveries/{delivery['id']}/replay")
    assert replay.status_code == 201, replay.text
    assert replay.json()["event_id"] == delivery["event_id"]
    hooks.mode = "ok"
    hooks.wait_for(1)  # the replay's commit woke the app's own worker
    assert hooks.accepted == {delivery["event_id"]: 1}


def test_only_the_organisations_admins_manage_its_webhooks(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    hooks: Receiver,
) -> None:
    client = start_app(webhook_poll_seconds=3600, webhook_allow_private=True)
    alpha, beta = worlds
    webhook_id = _register(client, alpha, hooks)
    _queue_answers(settings, alpha, 1)
    [delivery] = _deliveries(client, alpha, webhook_id)
    listed = with_key(client, alpha.admin).get(W).json()["items"]
    assert [w["id"] for w in listed] == [webhook_id]
    assert "secret" not in listed[0]  # shown once, at creation

    other = with_key(client, beta.admin)
    assert other.get(W).json()["items"] == []
    assert other.get(f"{W}/{webhook_id}/deliveries").status_code == 404
    assert other.post(f"{W}/deliveries/{delivery['id']}/replay").status_code == 404
    assert other.delete(f"{W}/{webhook_id}").status_code == 404
    for person in (alpha.learners[0], alpha.coach):
        someone = with_key(client, person)
        assert someone.get(W).status_code == 403
        assert someone.post(W, json={"url": hooks.url, "events": ["alert.raised"]}).status_code
        assert someone.post(f"{W}/deliveries/{delivery['id']}/replay").status_code == 403

    assert with_key(client, alpha.admin).delete(f"{W}/{webhook_id}").status_code == 204
    assert with_key(client, alpha.admin).get(W).json()["items"] == []

    async def actions(db: Any) -> list[str]:
        found = await db.scalars(
            select(AuditEvent.action).where(AuditEvent.target_type == "webhook_endpoint")
        )
        return sorted(found)

    assert run_db(settings, actions) == ["webhook.create", "webhook.delete"]

    async def left(db: Any) -> int:
        return len((await db.scalars(select(WebhookDelivery))).all())

    assert run_db(settings, left) == 0


def test_a_learner_cannot_create_one(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    response = with_key(client, worlds[0].learners[0]).post(
        W, json={"url": "https://hooks.example.org/x", "events": ["alert.raised"]}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://hooks.example.org/x", "events": ["alert.raised"]}, "url"),
        ({"url": "not a url", "events": ["alert.raised"]}, "url"),
        ({"url": "http://127.0.0.1:9/x", "events": ["alert.raised"]}, "url"),
        ({"url": "http://169.254.169.254/latest", "events": ["alert.raised"]}, "url"),
        ({"url": "http://localhost/x", "events": ["alert.raised"]}, "url"),
        ({"url": "https://hooks.example.org/x", "events": ["item.eaten"]}, "events"),
        ({"url": "https://hooks.example.org/x", "events": []}, "events"),
    ],
)
def test_a_bad_url_or_event_is_refused_naming_it(
    client: TestClient[Any], worlds: list[OrgWorld], body: dict[str, Any], field: str
) -> None:
    response = with_key(client, worlds[0].admin).post(W, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field


def test_a_private_address_is_refused_at_delivery_time(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    hooks: Receiver,
) -> None:
    """Registered while private addresses were allowed, refused once they are not: the host
    is checked at each delivery, not only when it is registered."""
    client = start_app(webhook_poll_seconds=3600, webhook_allow_private=True)
    alpha = worlds[0]
    webhook_id = _register(client, alpha, hooks)
    _queue_answers(settings, alpha, 1)
    strict = settings.model_copy(update={"webhook_allow_private": False})
    worker = DeliveryWorker(client.app.state.session_maker, strict, clock=utcnow)
    assert client.blocking_portal.call(worker.send_due) == 1
    assert hooks.requests == 0
    [delivery] = _deliveries(client, alpha, webhook_id)
    assert delivery["last_error"].startswith("refused")


@pytest.mark.parametrize(
    "url",
    ["http://localhost:1/", "http://[::1]/", "http://10.0.0.8/", "http://192.168.1.1/"],
)
def test_private_hosts_are_refused(url: str) -> None:
    assert asyncio.run(refused_host(url)).startswith("refused")


def test_a_delivery_connects_to_the_address_it_vetted(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name is resolved once: the request goes to the vetted IP with the name as Host and
    for TLS, so a second resolution (DNS rebinding) cannot send it into the app's network."""
    client = start_app(webhook_poll_seconds=3600)
    alpha = worlds[0]
    created = with_key(client, alpha.admin).post(
        W, json={"url": "https://hooks.example.org:8443/in?src=1", "events": ["answer.received"]}
    )
    assert created.status_code == 201, created.text
    _queue_answers(settings, alpha, 1)
    answers = {"hooks.example.org": "93.184.216.34"}
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    seen: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    strict = settings.model_copy(update={"webhook_allow_private": False})
    worker = DeliveryWorker(
        client.app.state.session_maker, strict, transport=httpx.MockTransport(receive)
    )
    assert client.blocking_portal.call(worker.send_due) == 1
    [request] = seen
    assert str(request.url) == "https://93.184.216.34:8443/in?src=1"
    assert request.headers["host"] == "hooks.example.org:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.org"

    answers["hooks.example.org"] = "10.0.0.5"  # the name now points inside
    _queue_answers(settings, alpha, 1)
    client.blocking_portal.call(worker.send_due)
    assert len(seen) == 1


def test_an_ipv6_address_is_pinned_in_brackets() -> None:
    url, headers, extensions = pinned("https://hooks.example.org/in", "2606:2800:220:1::1")
    assert url == "https://[2606:2800:220:1::1]/in"
    assert headers == {"Host": "hooks.example.org"}
    assert extensions == {"sni_hostname": "hooks.example.org"}
