"""E-mails between sessions, through a real SMTP server (aiosmtpd on loopback) and a clock moved
by the test: on an approved item's day its learner gets one e-mail (never the item's words),
once; the e-mail's link turns them off at once; the coach gets one weekly digest of counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from app.domain.notifications.announcer import ItemAnnouncer
from app.domain.notifications.digest import CoachDigest, digest_due_since
from app.lib.clock import utcnow
from app.settings import Settings
from tests.integration.test_agents_api import _drafts_of, _log_session, _wait_for_plan, seeded
from tests.mail import Inbox, mail_settings, send_due
from tests.support import As, OrgWorld, Person, with_key

__all__ = ["seeded"]  # the fixture, shared with the agents' API tests

NEXT_SESSION = "2026-12-04T09:00:00Z"


@dataclass
class Mailing:
    """An app without SMTP (the test runs every pass itself, at the moment it chooses), the
    settings its mail jobs run with (the test's SMTP server), and what that server received."""

    client: TestClient[Any]
    settings: Settings
    configured: Settings
    inbox: Inbox
    port: int

    def announce(self, at: datetime) -> int:
        announcer = ItemAnnouncer(self.sessions, self.configured, clock=lambda: at)
        return self.client.blocking_portal.call(announcer.announce_due)

    def remind(self, at: datetime) -> int:
        announcer = ItemAnnouncer(self.sessions, self.configured, clock=lambda: at)
        return self.client.blocking_portal.call(announcer.remind_unanswered)

    def digest(self, at: datetime) -> int:
        digest = CoachDigest(self.sessions, self.configured, clock=lambda: at)
        return self.client.blocking_portal.call(digest.send_weekly)

    def send(self, at: datetime) -> None:
        """Send what the outbox holds as at `at` (the outbox queued it at the real time)."""
        send_due(self.client, self.settings, self.port, at=at)

    @property
    def sessions(self) -> Any:
        return self.client.app.state.session_maker


@pytest.fixture
def mailing(
    start_app: Callable[..., TestClient[Any]], smtp: tuple[Inbox, int], settings: Settings
) -> Mailing:
    inbox, port = smtp
    configured = settings.model_copy(update=mail_settings(port))
    return Mailing(start_app(), settings, configured, inbox, port)


def _drafted(
    client: TestClient[Any], world: OrgWorld, learner: Person, **session: Any
) -> tuple[As, list[dict[str, Any]]]:
    """The coach logs a session for the learner; the drafts of its plan, once drafted."""
    coach = with_key(client, world.coach)
    run = _wait_for_plan(coach, _log_session(coach, learner.id, **session)["id"])
    return coach, _drafts_of(coach, run["id"])


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_learner_is_told_once_on_the_item_s_day_and_can_stop_it(
    seeded: list[OrgWorld],
    mailing: Mailing,
) -> None:
    client, inbox = mailing.client, mailing.inbox
    alpha = seeded[0]
    learner = alpha.learners[0]
    coach, drafts = _drafted(client, alpha, learner, next_session_at=NEXT_SESSION)
    first, second, *_ = sorted(drafts, key=lambda d: d["deliver_at"])
    for draft in (first, second):
        assert coach.post(f"/api/v1/suggestions/{draft['id']}/approve", json={}).status_code == 200
    day_one, day_two = _when(first["deliver_at"]), _when(second["deliver_at"])

    assert mailing.announce(day_one - timedelta(hours=1)) == 0  # not its day yet
    assert mailing.announce(day_one + timedelta(minutes=1)) == 1
    assert mailing.announce(day_one + timedelta(minutes=2)) == 0  # once
    # The outbox queued it at the real time (the test's days are in November).
    mailing.send(at=utcnow() + timedelta(minutes=1))
    assert [m["To"] for m in inbox.messages] == [learner.email]
    body = inbox.text_of(inbox.messages[0])
    assert "Une réflexion ou une question" in body  # the learner's language
    assert "https://coach.example/me" in body
    assert first["text"][:40] not in body  # the coaching stays behind the login

    link = re.search(r"https://coach\.example(/unsubscribe\?token=[\w-]+)", body)
    assert link
    page = client.get(link.group(1))
    assert page.status_code == 200  # opening the link changes nothing (mail scanners do)
    token = link.group(1).split("token=")[1]
    done = client.post("/unsubscribe", data={"token": token})
    assert done.status_code == 200
    assert "unsubscribed" in done.text
    assert client.post("/unsubscribe", data={"token": token}).status_code == 200  # twice: no-op
    assert client.post("/unsubscribe", data={"token": "not-a-token"}).status_code == 400
    trail = with_key(client, alpha.admin).get(
        "/api/v1/audit-events", params={"action": "user.unsubscribe"}
    )
    assert [(e["actor_id"], e["target_id"]) for e in trail.json()["items"]] == [
        (str(learner.id), str(learner.id))  # the change is audited, the second click is not
    ]

    # The next item arrives: marked, not mailed.
    assert mailing.announce(day_two + timedelta(minutes=1)) == 0
    mailing.send(at=utcnow() + timedelta(minutes=2))
    assert len(inbox.messages) == 1


def test_two_announcers_at_once_send_each_item_once(
    seeded: list[OrgWorld],
    mailing: Mailing,
) -> None:
    client, configured, inbox = mailing.client, mailing.configured, mailing.inbox
    alpha = seeded[0]
    coach, drafts = _drafted(client, alpha, alpha.learners[1])  # no rhythm: due when approved
    for draft in drafts[:3]:
        assert coach.post(f"/api/v1/suggestions/{draft['id']}/approve", json={}).status_code == 200
    later = utcnow() + timedelta(minutes=1)

    async def both() -> list[int]:
        import anyio

        counts: list[int] = []

        async def one() -> None:
            announcer = ItemAnnouncer(
                client.app.state.session_maker, configured, clock=lambda: later
            )
            counts.append(await announcer.announce_due())

        async with anyio.create_task_group() as group:
            group.start_soon(one)
            group.start_soon(one)
        return counts

    counts = client.blocking_portal.call(both)
    # One announcer took the items; the other found none (PostgreSQL: locked rows skipped) or
    # found their e-mail already queued (SQLite: one writer at a time).
    assert sorted(counts) == [0, 1]
    mailing.send(at=later + timedelta(minutes=1))
    assert len(inbox.messages) == 1
    assert "3 réflexions ou questions" in inbox.text_of(inbox.messages[0])


def test_the_coach_gets_one_weekly_digest_of_counts(
    seeded: list[OrgWorld],
    mailing: Mailing,
) -> None:
    client, configured, inbox = mailing.client, mailing.configured, mailing.inbox
    alpha = seeded[0]
    coach, drafts = _drafted(client, alpha, alpha.learners[0])  # due when approved
    draft = drafts[0]
    assert coach.post(f"/api/v1/suggestions/{draft['id']}/approve", json={}).status_code == 200
    learner = with_key(client, alpha.learners[0])
    answer = "Ma réponse privée CANARY-ANSWER à la réflexion."
    assert (
        learner.post(f"/api/v1/feed/{draft['id']}/answers", json={"text": answer}).status_code
        == 201
    )

    # The digest is due from Monday's delivery hour in the coach's zone: on a Monday before
    # that hour (Sunday night in UTC, for Paris), the clock moves to just after it. Seen in CI
    # on a Sunday at 23:27 UTC, when "now" was already Monday in Paris but before 8 o'clock.
    real = utcnow()
    now = max(real, digest_due_since(real, configured) + timedelta(minutes=1))
    monday = digest_due_since(now, configured)
    digest = CoachDigest(client.app.state.session_maker, configured, clock=lambda: now)
    before = CoachDigest(
        client.app.state.session_maker, configured, clock=lambda: monday - timedelta(minutes=1)
    )
    assert client.blocking_portal.call(before.send_weekly) == 0  # Sunday night: not yet
    assert client.blocking_portal.call(digest.send_weekly) == 2  # each organisation's coach
    assert client.blocking_portal.call(digest.send_weekly) == 0  # once a week
    mailing.send(at=now + timedelta(minutes=1))

    to_coach = [m for m in inbox.messages if m["To"] == alpha.coach.email]
    assert len(to_coach) == 1
    body = inbox.text_of(to_coach[0])
    assert "1 réponse(s)" in body
    assert "CANARY-ANSWER" not in body  # counts, never the learner's words
    assert "https://coach.example/coach" in body
    assert "/unsubscribe?token=" in body
    # The idle coach (no learners) gets nothing.
    assert not [m for m in inbox.messages if m["To"] == alpha.idle_coach.email]


def test_quiet_hours_hold_an_item_s_e_mail_until_they_end(
    seeded: list[OrgWorld],
    mailing: Mailing,
) -> None:
    from zoneinfo import ZoneInfo

    client, configured, inbox = mailing.client, mailing.configured, mailing.inbox
    alpha = seeded[0]
    admin = with_key(client, alpha.admin)
    quiet = {"policy": {"quiet_hours": {"start": 20, "end": 8}}}
    saved = admin.patch("/api/v1/organization", json=quiet, headers={"If-Match": "*"})
    assert saved.status_code == 200, saved.text
    bad = {"policy": {"quiet_hours": {"start": 25, "end": 8}}}
    refused = admin.patch("/api/v1/organization", json=bad, headers={"If-Match": "*"})
    assert refused.status_code == 400
    assert "quiet_hours.start" in refused.text

    coach, drafts = _drafted(client, alpha, alpha.learners[0])  # due when approved
    assert coach.post(f"/api/v1/suggestions/{drafts[0]['id']}/approve", json={}).status_code == 200
    zone = ZoneInfo(configured.delivery_time_zone)
    tomorrow = utcnow().astimezone(zone).date() + timedelta(days=1)
    night = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 6, 30, tzinfo=zone)
    assert mailing.announce(night) == 0  # 6:30 local: quiet
    assert mailing.announce(night + timedelta(hours=2)) == 1  # 8:30: it goes
    # The other organisation set no quiet hours: its item was announced at night.
    beta = seeded[1]
    beta_coach, beta_drafts = _drafted(client, beta, beta.learners[0])
    approved = beta_coach.post(f"/api/v1/suggestions/{beta_drafts[0]['id']}/approve", json={})
    assert approved.status_code == 200
    assert mailing.announce(night + timedelta(days=1)) == 1
    mailing.send(at=utcnow() + timedelta(minutes=1))
    assert len(inbox.messages) == 2


def test_an_item_still_unanswered_days_later_is_recalled_once(
    seeded: list[OrgWorld],
    mailing: Mailing,
) -> None:
    client, configured, inbox = mailing.client, mailing.configured, mailing.inbox
    alpha = seeded[0]
    learner = alpha.learners[0]
    coach, drafts = _drafted(client, alpha, learner)  # due when approved
    waiting, answered = drafts[0], drafts[1]
    for draft in (waiting, answered):
        assert coach.post(f"/api/v1/suggestions/{draft['id']}/approve", json={}).status_code == 200
    now = utcnow() + timedelta(minutes=1)
    assert mailing.announce(now) == 1
    reply = with_key(client, learner).post(
        f"/api/v1/feed/{answered['id']}/answers", json={"text": "Fait."}
    )
    assert reply.status_code == 201

    days = configured.reminder_after_days
    assert mailing.remind(now + timedelta(days=days) - timedelta(hours=1)) == 0  # not yet
    assert mailing.remind(now + timedelta(days=days, minutes=1)) == 1
    assert mailing.remind(now + timedelta(days=days + 1)) == 0  # once
    mailing.send(at=now + timedelta(days=days, minutes=5))
    recalls = inbox.about("Votre coach attend votre réponse")
    assert [m["To"] for m in recalls] == [learner.email]
    body = inbox.text_of(recalls[0])
    assert "Une réflexion ou une question" in body  # the unanswered one only
    assert waiting["text"][:40] not in body


def test_each_coach_gets_the_digest_on_their_own_monday_morning(
    seeded: list[OrgWorld],
    mailing: Mailing,
) -> None:
    from zoneinfo import ZoneInfo

    client, configured, inbox = mailing.client, mailing.configured, mailing.inbox
    alpha, beta = seeded
    moved = with_key(client, alpha.coach).patch(
        "/api/v1/me", json={"time_zone": "America/New_York"}
    )
    assert moved.status_code == 200, moved.text
    today = utcnow().date()
    monday = today + timedelta(days=7 - today.weekday())  # next Monday

    paris = datetime(monday.year, monday.month, monday.day, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert configured.delivery_time_zone == "Europe/Paris"
    assert mailing.digest(paris) == 1  # beta's coach, in Paris; 3:30 in New York: not yet
    new_york = paris.replace(tzinfo=ZoneInfo("America/New_York"))
    assert mailing.digest(new_york) == 1  # alpha's coach, at 9:30 in New York
    assert mailing.digest(new_york + timedelta(hours=1)) == 0  # once a week each
    mailing.send(at=new_york + timedelta(minutes=5))
    digests = inbox.about(".")
    assert [m["To"] for m in digests] == [beta.coach.email, alpha.coach.email]
