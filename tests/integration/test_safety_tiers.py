"""The safety guard's tiers through the HTTP API, and the urgent alert e-mailed to the coach
through a real SMTP server (aiosmtpd on loopback), with the outbox's clock moved by the test.

- urgent: the learner gets the urgent resources, the coach an escalation at once and an e-mail;
- support: the resources and an offer; the coach hears nothing unless the learner accepts;
- out of scope: where to turn, and the coach never hears of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from app.db.models import OutboundEmail
from app.domain.notifications.outbox import retry_delay
from app.lib.clock import utcnow
from app.settings import Settings
from evals.llama_server import free_port
from tests.mail import Inbox, mail_settings, send_due
from tests.support import OrgWorld, with_key

POLICY = {
    "escalation_resources": [{"label": "Ligne d'écoute", "contact": "3114"}],
    "support_resources": [{"label": "Écoute salariés", "contact": "0800 111 222"}],
    "out_of_scope_resources": [{"label": "Médecin du travail", "contact": "sante@org.example"}],
}
URGENT = "Je prépare ma réunion de jeudi, mais honnêtement je pense à mettre fin à mes jours."
SUPPORT = (
    "Mon manager me fait des remarques sexuelles depuis des semaines, je ne sais plus quoi faire."
)
OUT_OF_SCOPE = "Est-ce que je peux attaquer mon employeur aux prud'hommes pour mes heures sup ?"


def _start(start_app: Callable[..., TestClient[Any]], port: int | None) -> TestClient[Any]:
    # The loop's own pass runs at start; later sends are driven by the test's clock.
    return start_app(**(mail_settings(port) if port is not None else {}))


def _turn(client: TestClient[Any], world: OrgWorld, text: str) -> tuple[str, dict[str, Any]]:
    admin = with_key(client, world.admin)
    assert admin.patch("/api/v1/organization", json={"policy": POLICY}).status_code == 200
    learner = with_key(client, world.learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()["id"]
    turn = learner.post(f"/api/v1/conversations/{conversation}/messages", json={"content": text})
    assert turn.status_code == 201, turn.text
    return conversation, turn.json()["reply"]


def test_urgent_alerts_the_coach_and_e_mails_them_once(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    smtp: tuple[Inbox, int],
    settings: Settings,
) -> None:
    inbox, port = smtp
    client = _start(start_app, port)
    alpha = worlds[0]
    _, reply = _turn(client, alpha, URGENT)

    assert reply["safety"] == {"tier": "urgent", "category": "self_harm", "coach": "alerted"}
    assert "3114" in reply["content"]
    assert "0800 111 222" not in reply["content"]  # the urgent tier's resources only
    coach = with_key(client, alpha.coach)
    alerts = coach.get("/api/v1/escalations").json()["items"]
    assert [(a["tier"], a["category"]) for a in alerts] == [("urgent", "self_harm")]

    # Sent by a worker pass (the app's own loop may have sent it already): exactly once.
    send_due(client, settings, port, at=utcnow() + timedelta(minutes=10))
    send_due(client, settings, port, at=utcnow() + timedelta(minutes=20))
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == alpha.coach.email
    assert "Learner1" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "https://coach.example/coach#escalations" in text
    assert "https://coach.example/coach#escalations" in html
    for body in (text, html, mail["Subject"]):
        assert "mettre fin" not in body  # never what the learner wrote
        assert "réunion" not in body


def test_a_failed_send_is_retried_with_backoff_then_recorded(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]], settings: Settings
) -> None:
    dead_port = free_port()  # nothing listens there
    client = _start(start_app, dead_port)
    _turn(client, worlds[0], URGENT)
    now = utcnow() + timedelta(minutes=10)  # past the app's own first attempt and its lease

    send_due(client, settings, dead_port, at=now)
    row = _email_row(client)
    assert row.status == "pending"
    assert row.attempts >= 1
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    attempts = row.attempts
    assert send_due(client, settings, dead_port, at=now + timedelta(seconds=1)) == 0  # not due
    later = now + retry_delay(attempts) + timedelta(seconds=1)
    assert send_due(client, settings, dead_port, at=later) == 1
    assert _email_row(client).attempts == attempts + 1


def _email_row(client: TestClient[Any]) -> OutboundEmail:
    async def read() -> OutboundEmail:
        async with client.app.state.session_maker() as db:
            return (await db.scalars(select(OutboundEmail))).one()

    return client.blocking_portal.call(read)


def test_support_offers_to_tell_the_coach_and_tells_only_when_asked(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]], smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    client = _start(start_app, port)
    alpha = worlds[0]
    conversation, reply = _turn(client, alpha, SUPPORT)

    assert reply["safety"] == {"tier": "support", "category": "harassment", "coach": "offered"}
    assert "0800 111 222" in reply["content"]
    assert "sans votre accord" in reply["content"]
    coach = with_key(client, alpha.coach)
    assert coach.get("/api/v1/escalations").json()["items"] == []

    other = with_key(client, alpha.learners[1])
    path = f"/api/v1/conversations/{conversation}/messages/{reply['id']}/tell-coach"
    assert other.post(path).status_code == 404  # not their conversation
    learner = with_key(client, alpha.learners[0])
    told = learner.post(path)
    assert told.status_code == 201, told.text
    assert told.json()["safety"]["coach"] == "told"
    assert learner.post(path).status_code == 201  # asking twice alerts once
    alerts = coach.get("/api/v1/escalations").json()["items"]
    assert [(a["tier"], a["category"], a["detected_by"]) for a in alerts] == [
        ("support", "harassment", "learner")
    ]
    assert "remarques" not in json.dumps(alerts)
    assert inbox.messages == []  # only urgent alerts are e-mailed


def test_out_of_scope_says_where_to_turn_and_never_reaches_the_coach(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = _start(start_app, None)
    alpha = worlds[0]
    conversation, reply = _turn(client, alpha, OUT_OF_SCOPE)

    assert reply["safety"] == {"tier": "out_of_scope", "category": "legal", "coach": "never"}
    assert "sante@org.example" in reply["content"]
    assert "n'est transmis" in reply["content"]
    assert with_key(client, alpha.coach).get("/api/v1/escalations").json()["items"] == []
    learner = with_key(client, alpha.learners[0])
    path = f"/api/v1/conversations/{conversation}/messages/{reply['id']}/tell-coach"
    assert learner.post(path).status_code == 409  # nothing was offered


def test_ordinary_coaching_fears_get_coaching_not_a_safety_answer(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = _start(start_app, None)
    for text in (
        "J'ai peur de prendre la parole en réunion devant la direction",
        "Mon manager ne me donne jamais de retour, je ne sais pas si je progresse",
        "A colleague keeps interrupting me in meetings. What can I do?",
    ):
        _, reply = _turn(client, worlds[0], text)
        assert reply["safety"] is None, text
        assert "112" not in reply["content"]
    assert with_key(client, worlds[0].coach).get("/api/v1/escalations").json()["items"] == []
