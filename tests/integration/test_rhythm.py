"""A plan's rhythm through the HTTP API: with the next session known, the drafted items carry
proposed days spread until then; approving keeps the proposal (or the coach's own day), and the
learner meets each item on its day, told meanwhile only how many are coming and when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from litestar.testing import TestClient

from tests.integration.test_agents_api import _drafts_of, _log_session, _wait_for_plan, seeded
from tests.support import OrgWorld, with_key, with_session

__all__ = ["seeded"]  # the fixture, shared with the agents' API tests

NEXT_SESSION = "2026-12-04T09:00:00Z"  # two weeks after test_agents_api.HELD_AT


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_plan_is_spread_until_the_next_session_and_arrives_day_by_day(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = seeded[0]
    coach = with_key(client, alpha.coach)
    learner_person = alpha.learners[0]

    session = _log_session(coach, learner_person.id, next_session_at=NEXT_SESSION)
    assert session["next_session_at"].startswith("2026-12-04")
    run = _wait_for_plan(coach, session["id"])
    drafts = sorted(_drafts_of(coach, run["id"]), key=lambda d: d["deliver_at"])
    assert len(drafts) >= 3
    days = [_when(d["deliver_at"]) for d in drafts]
    assert len({d.date() for d in days}) == len(days)  # one a day at most, here
    # The first working day after the session (a Friday): Monday 23 November...
    assert days[0].date().isoformat() == "2026-11-23"
    assert all(d.date().isoformat() < "2026-12-04" for d in days)  # ...until the next one
    assert all(d.weekday() < 5 for d in days)  # working days only

    first, second, *_ = drafts
    chosen = "2026-11-27T08:00:00Z"
    assert coach.post(f"/api/v1/suggestions/{first['id']}/approve", json={}).status_code == 200
    approved = coach.post(
        f"/api/v1/suggestions/{second['id']}/approve", json={"deliver_at": chosen}
    ).json()
    assert approved["deliver_at"].startswith("2026-11-27T08:00")  # the coach's own day

    learner = with_session(client, learner_person)

    def feed_at(moment: datetime) -> list[str]:
        # The feed's clock (FeedService, suggestions/feed.py) is the one that decides.
        with mock.patch("app.domain.suggestions.feed.utcnow", return_value=moment):
            items = learner.get("/api/v1/feed").json()["items"]
        return [i["id"] for i in items if i["id"] in (first["id"], second["id"])]

    day_before = days[0] - timedelta(hours=1)
    assert feed_at(day_before) == []  # approved, but not its day yet
    assert feed_at(days[0] + timedelta(minutes=1)) == [first["id"]]
    assert set(feed_at(_when(chosen) + timedelta(minutes=1))) == {first["id"], second["id"]}


def test_without_the_next_session_items_arrive_when_approved(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = seeded[0]
    coach = with_key(client, alpha.coach)
    session = _log_session(coach, alpha.learners[0].id)
    run = _wait_for_plan(coach, session["id"])
    drafts = _drafts_of(coach, run["id"])
    assert all(d["deliver_at"] is None for d in drafts)


def test_a_next_session_before_this_one_is_refused(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    coach = with_key(client, seeded[0].coach)
    response = coach.post(
        "/api/v1/sessions",
        json={
            "learner_id": str(seeded[0].learners[0].id),
            "held_at": "2026-11-20T09:00:00Z",
            "next_session_at": "2026-11-19T09:00:00Z",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "next_session_at"


def test_the_learner_s_home_shows_today_first_then_what_waits_then_what_was_answered(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]], settings: Any
) -> None:
    from zoneinfo import ZoneInfo

    client = start_app()
    alpha = worlds[0]
    learner_person = alpha.learners[0]
    coach = with_key(client, alpha.coach)
    today, missed, answered, later = (str(i) for i in alpha.draft_ids[learner_person.id])
    zone = ZoneInfo(settings.delivery_time_zone)
    now = datetime.now(zone)
    start_of_today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = {
        today: max(start_of_today, now - timedelta(minutes=5)),
        missed: now - timedelta(days=3),
        answered: now - timedelta(days=4),
        later: now + timedelta(days=2),
    }
    for item, day in days.items():
        approved = coach.post(
            f"/api/v1/suggestions/{item}/approve", json={"deliver_at": day.isoformat()}
        )
        assert approved.status_code == 200, approved.text
    learner = with_key(client, learner_person)
    reply = learner.post(f"/api/v1/feed/{answered}/answers", json={"text": "Fait lundi."})
    assert reply.status_code == 201, reply.text

    page = with_session(client, learner_person).get("/me").text
    order = [page.index(f'id="{anchor}"') for anchor in ("today", "waiting", "earlier")]
    assert order == sorted(order)
    items = {item: page.find(f'id="item-{item}"') for item in days}
    assert order[0] < items[today] < order[1] < items[missed] < order[2] < items[answered]
    assert items[later] == -1  # not before its day: only counted
    assert "En attente de votre réponse (1)" in page
    assert 'id="coming-up"' in page


def test_a_learner_in_new_york_gets_items_at_nine_new_york_time(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = seeded[0]
    learner = with_session(client, alpha.learners[0])
    chosen = learner.patch("/api/v1/me", json={"time_zone": "America/New_York"})
    assert chosen.status_code == 200, chosen.text
    coach = with_key(client, alpha.coach)
    session = _log_session(coach, alpha.learners[0].id, next_session_at=NEXT_SESSION)
    run = _wait_for_plan(coach, session["id"])
    days = [_when(d["deliver_at"]) for d in _drafts_of(coach, run["id"])]
    assert days
    new_york = ZoneInfo("America/New_York")
    assert {d.astimezone(new_york).hour for d in days} == {9}
    assert {d.hour for d in days} == {14}  # UTC-5 in November and December
    assert min(days).astimezone(new_york).date().isoformat() == "2026-11-23"
