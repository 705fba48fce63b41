"""Invitations and password resets through the HTTP API, e-mailed through a real SMTP server
(aiosmtpd on loopback), with the clock moved by the test.

An admin never learns a person's password: the person sets it through a single-use, expiring
link sent to their own address, of which only a hash is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

from litestar.testing import TestClient
from sqlalchemy import select

from app.db.models import AccountToken, AuditEvent, OutboundEmail
from app.lib.clock import utcnow
from app.lib.security import sha256_hex
from app.settings import Settings
from tests.mail import Inbox, mail_settings, send_due
from tests.support import PASSWORD, OrgWorld, run_db, with_key, with_session

NEW_PASSWORD = "une phrase que moi seule connais"


def _token(link: str) -> str:
    return link.split("#token=", 1)[1]


def _add_person(admin: Any, email: str, locale: str = "fr") -> dict[str, Any]:
    response = admin.post(
        "/api/v1/users",
        json={"email": email, "display_name": "Zoé", "role": "learner", "locale": locale},
    )
    assert response.status_code == 201, response.text
    person: dict[str, Any] = response.json()
    assert person["has_password"] is False
    return person


def _log_in(client: TestClient[Any], org: str, email: str, password: str) -> int:
    response = client.post(
        "/api/v1/auth/login", json={"organization": org, "email": email, "password": password}
    )
    return response.status_code


def test_an_invitation_lets_the_person_choose_a_password_the_admin_never_sees(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    smtp: tuple[Inbox, int],
    settings: Settings,
) -> None:
    inbox, port = smtp
    client = start_app(**mail_settings(port))
    alpha = worlds[0]
    admin = with_key(client, alpha.admin)
    person = _add_person(admin, "zoe@alpha.example")

    invited = admin.post(f"/api/v1/users/{person['id']}/invitation", json={})

    assert invited.status_code == 202, invited.text
    assert invited.json()["mailed"] is True
    assert "token" not in invited.text  # the admin never holds the link
    send_due(client, settings, port, at=utcnow() + timedelta(seconds=1))
    link = inbox.link_to("zoe@alpha.example")
    assert link.startswith("https://coach.example/password/new#token=")
    assert "Choisissez votre mot de passe" in inbox.text_of(inbox.messages[-1])  # her language

    # Only a hash is stored, and the sent mail no longer holds the link.
    async def stored(db: Any) -> tuple[list[str], list[str]]:
        hashes = list(await db.scalars(select(AccountToken.token_hash)))
        bodies = list(await db.scalars(select(OutboundEmail.text_body)))
        return hashes, bodies

    hashes, bodies = run_db(settings, stored)
    assert hashes == [sha256_hex(_token(link))]  # the hash, not the token
    assert all(_token(link) not in body for body in bodies)

    chosen = client.post(
        "/api/v1/auth/password", json={"token": _token(link), "password": NEW_PASSWORD}
    )
    assert chosen.status_code == 204, chosen.text
    assert _log_in(client, alpha.slug, "zoe@alpha.example", NEW_PASSWORD) == 201
    listed = admin.get(f"/api/v1/users/{person['id']}").json()
    assert listed["has_password"] is True

    # Single use: the same link again is refused, naming the token.
    again = client.post(
        "/api/v1/auth/password", json={"token": _token(link), "password": "another passphrase"}
    )
    assert again.status_code == 400
    assert again.json()["error"]["field"] == "token"
    # Once she has a password, no new invitation: she resets it herself if she forgets it.
    assert admin.post(f"/api/v1/users/{person['id']}/invitation", json={}).status_code == 409


def test_an_expired_or_replaced_link_is_refused(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    smtp: tuple[Inbox, int],
    settings: Settings,
) -> None:
    inbox, port = smtp
    client = start_app(**mail_settings(port))
    admin = with_key(client, worlds[0].admin)
    person = _add_person(admin, "late@alpha.example", locale="en")
    admin.post(f"/api/v1/users/{person['id']}/invitation", json={})
    send_due(client, settings, port, at=utcnow() + timedelta(seconds=1))
    first = _token(inbox.link_to("late@alpha.example"))
    admin.post(f"/api/v1/users/{person['id']}/invitation", json={})
    send_due(client, settings, port, at=utcnow() + timedelta(seconds=2))
    second = _token(inbox.link_to("late@alpha.example"))
    assert "Choose your password" in inbox.text_of(inbox.messages[-1])

    replaced = client.post("/api/v1/auth/password", json={"token": first, "password": NEW_PASSWORD})
    assert replaced.status_code == 400  # a newer link replaces the older one

    week_later = utcnow() + timedelta(hours=settings.invitation_ttl_hours, minutes=1)
    with mock.patch("app.domain.auth.links.utcnow", return_value=week_later):
        expired = client.post(
            "/api/v1/auth/password", json={"token": second, "password": NEW_PASSWORD}
        )
    assert expired.status_code == 400
    assert "expired" in expired.json()["error"]["message"]
    assert (
        client.post(
            "/api/v1/auth/password", json={"token": second, "password": NEW_PASSWORD}
        ).status_code
        == 204
    )  # still valid before its time


def test_a_reset_ends_every_session_and_reveals_nobody(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    smtp: tuple[Inbox, int],
    settings: Settings,
) -> None:
    inbox, port = smtp
    client = start_app(**mail_settings(port))
    alpha, beta = worlds
    person = alpha.learners[0]
    stolen = with_session(client, person)
    key = with_key(client, person)

    asked = client.post(
        "/api/v1/auth/password-reset", json={"organization": alpha.slug, "email": person.email}
    )
    unknown = client.post(
        "/api/v1/auth/password-reset",
        json={"organization": alpha.slug, "email": "nobody@alpha.example"},
    )
    elsewhere = client.post(
        "/api/v1/auth/password-reset", json={"organization": beta.slug, "email": person.email}
    )
    # The same answer whoever asks: nobody learns which addresses have accounts.
    assert asked.status_code == unknown.status_code == elsewhere.status_code == 202
    assert asked.json() == unknown.json() == elsewhere.json()
    # A second request within minutes sends nothing more (no mail bombing through the form).
    client.post(
        "/api/v1/auth/password-reset", json={"organization": alpha.slug, "email": person.email}
    )
    send_due(client, settings, port, at=utcnow() + timedelta(seconds=1))
    assert [m["To"] for m in inbox.about("mot de passe|password")] == [person.email]

    token = _token(inbox.link_to(person.email))
    reset = client.post("/api/v1/auth/password", json={"token": token, "password": NEW_PASSWORD})
    assert reset.status_code == 204
    assert stolen.get("/api/v1/me").status_code == 401  # every session ended
    assert key.get("/api/v1/me").status_code == 200  # keys are revoked by hand, not silently
    assert _log_in(client, alpha.slug, person.email, PASSWORD) == 401
    assert _log_in(client, alpha.slug, person.email, NEW_PASSWORD) == 201

    async def actions(db: Any) -> list[str]:
        return list(await db.scalars(select(AuditEvent.action)))

    assert "auth.password_reset" in run_db(settings, actions)


def test_without_smtp_nothing_is_sent_and_the_admin_is_told_how(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    admin = with_key(client, worlds[0].admin)
    person = _add_person(admin, "offline@alpha.example")
    invited = admin.post(f"/api/v1/users/{person['id']}/invitation", json={})
    assert invited.status_code == 202
    body = invited.json()
    assert body["mailed"] is False
    assert "interlude user invite" in body["detail"]
    forgot = client.post(
        "/api/v1/auth/password-reset",
        json={"organization": worlds[0].slug, "email": worlds[0].coach.email},
    )
    assert forgot.status_code == 202
    assert "sends no e-mail" in forgot.json()["detail"]


def test_only_an_admin_invites_and_never_with_a_password(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = worlds[0]
    admin = with_key(client, alpha.admin)
    refused = admin.post(
        "/api/v1/users",
        json={
            "email": "chosen@alpha.example",
            "display_name": "Chosen",
            "role": "learner",
            "password": "the admin would know it",
        },
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["field"] == "password"
    person = _add_person(admin, "later@alpha.example")
    coach = with_key(client, alpha.coach)
    assert coach.post(f"/api/v1/users/{person['id']}/invitation", json={}).status_code in (
        403,
        404,
    )
