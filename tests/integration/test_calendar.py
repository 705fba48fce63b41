"""Calendar feeds through HTTP: a secret, revocable URL per person; the feed says when (the next
sessions, the days items are due), never what; nobody's token shows anybody else's events."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CoachingSession, Suggestion, User
from app.db.models.enums import SuggestionState
from app.settings import Settings
from tests.support import OrgWorld, Person, run_db, with_key, with_session
from tests.unit.test_ical import events_of, unfold

SUMMARY_ITEM = "Interlude : une réflexion arrive"


def _monday_after(days: int) -> datetime:
    """A Monday at 10:00 UTC at least `days` from now (so test dates never fall in the past)."""
    moment = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return moment + timedelta(days=(7 - moment.weekday()) % 7)


NEXT_SESSION = _monday_after(14)
ITEM_DAY = NEXT_SESSION - timedelta(days=7)


def _schedule(settings: Settings, world: OrgWorld, learner: Person) -> None:
    """The learner's next session is known; of their drafts: two approved for one day, one
    for the next, one approved and already delivered, the last still pending (not in a feed)."""
    drafts = world.draft_ids[learner.id]
    when = [ITEM_DAY, ITEM_DAY + timedelta(hours=2), ITEM_DAY + timedelta(days=1), None]

    async def work(db: AsyncSession) -> None:
        await db.execute(
            update(CoachingSession)
            .where(CoachingSession.id == world.session_ids[learner.id])
            .values(next_session_at=NEXT_SESSION)
        )
        for draft_id, moment in zip(drafts, when, strict=True):
            state = SuggestionState.APPROVED if moment else SuggestionState.PENDING_REVIEW
            await db.execute(
                update(Suggestion)
                .where(Suggestion.id == draft_id)
                .values(state=state, deliver_at=moment or ITEM_DAY)
            )
        await db.execute(
            update(Suggestion)
            .where(Suggestion.id == drafts[2])
            .values(state=SuggestionState.EDITED)
        )

    run_db(settings, work)


def _make_feed(client: TestClient[Any], person: Person) -> str:
    response = with_key(client, person).post("/api/v1/me/calendar")
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    assert url.startswith("http://127.0.0.1:8000/calendar/")
    assert url.endswith(".ics")
    return urlsplit(url).path


def _feed(client: TestClient[Any], path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["cache-control"]
    return events_of(response.text)


def test_a_learner_sees_their_next_session_and_item_days_never_the_items(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha = worlds[0]
    learner = alpha.learners[0]
    _schedule(settings, alpha, learner)
    path = _make_feed(client, learner)
    response = client.get(path)  # no login: the token is the credential
    text = response.text
    assert alpha.canary not in text  # no item's words, no session notes, no goal
    assert "\r\n" in text
    assert "\n" not in text.replace("\r\n", "")
    events = events_of(text)
    sessions = [e for e in events if e["UID"].startswith("session-")]
    items = [e for e in events if e["UID"].startswith("items-")]
    assert [e["DTSTART"] for e in sessions] == [f"{NEXT_SESSION:%Y%m%dT%H%M%S}Z"]
    assert sessions[0]["SUMMARY"] == "Interlude : séance de coaching"  # the learner's French
    assert [e["DTSTART"] for e in items] == [
        f"{ITEM_DAY:%Y%m%dT%H%M%S}Z",  # one event for the day's two items, at the first
        f"{ITEM_DAY + timedelta(days=1):%Y%m%dT%H%M%S}Z",
    ]
    assert [e["SUMMARY"] for e in items] == [
        "Interlude : 2 réflexions arrivent",
        SUMMARY_ITEM,
    ]
    assert all(str(learner.id) in e["UID"] for e in events)
    # The same feed twice: the same events, so calendars update rather than duplicate.
    assert [e["UID"] for e in _feed(client, path)] == [e["UID"] for e in events]


def test_a_coach_sees_their_learners_next_sessions_by_name_only(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha = worlds[0]
    for learner in alpha.learners:
        _schedule(settings, alpha, learner)
    long_name = "Zoé, Ambre; Lou-Ange \\ " + "de la Très Longue Lignée " * 6

    async def rename(db: AsyncSession) -> None:
        await db.execute(
            update(User).where(User.id == alpha.learners[0].id).values(display_name=long_name)
        )

    run_db(settings, rename)
    events = _feed(client, _make_feed(client, alpha.coach))
    assert len(events) == 2  # sessions only: no item days in a coach's feed
    assert sorted(e["SUMMARY"] for e in events) == [
        "Interlude : séance avec Learner2",
        f"Interlude : séance avec {long_name}",
    ]
    raw = client.get(_make_feed(client, alpha.coach)).text
    assert any(line.startswith(" ") for line in raw.split("\r\n"))  # the long name was folded
    assert "Zoé\\, Ambre\\; Lou-Ange \\\\" in "".join(unfold(raw))
    # The coach without learners has an empty feed; an admin has none at all.
    assert _feed(client, _make_feed(client, alpha.idle_coach)) == []
    refused = with_key(client, alpha.admin).post("/api/v1/me/calendar")
    assert refused.status_code == 403


def test_a_revoked_or_replaced_url_answers_404_and_nothing_else(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    learner = worlds[0].learners[0]
    first = _make_feed(client, learner)
    second = _make_feed(client, learner)  # replaces the first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    me = with_session(client, learner)
    assert me.delete("/api/v1/me/calendar").status_code == 204
    gone = client.get(second)
    assert gone.status_code == 404
    assert gone.json()["error"] == {
        "code": "not_found",
        "message": "No such calendar.",
        "field": None,
    }
    assert me.delete("/api/v1/me/calendar").status_code == 204  # revoking twice is fine
    token = second.removeprefix("/calendar/").removesuffix(".ics")
    for path in (f"/calendar/{token}", f"/calendar/{token}.ICS", "/calendar/.ics", "/calendar/x"):
        assert client.get(path).status_code == 404, path

    async def stored(db: AsyncSession) -> list[str | None]:
        return list((await db.scalars(select(User.calendar_token_hash))).all())

    assert token not in json.dumps(run_db(settings, stored))  # only a hash is kept


def test_nobodys_token_shows_anybody_elses_events(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, beta = worlds
    everyone = [*alpha.learners, *beta.learners]
    for world in worlds:
        for learner in world.learners:
            _schedule(settings, world, learner)
    feeds = {person.id: _feed(client, _make_feed(client, person)) for person in everyone}
    for person in everyone:
        uids = " ".join(e["UID"] for e in feeds[person.id])
        assert str(person.id) in uids
        others = [str(p.id) for p in everyone if p.id != person.id]
        assert not any(other in uids for other in others), person.email
    coach_uids = {w.slug: _feed(client, _make_feed(client, w.coach)) for w in worlds}
    for world, other in ((alpha, beta), (beta, alpha)):
        text = " ".join(e["UID"] for e in coach_uids[world.slug])
        assert all(str(learner.id) in text for learner in world.learners)
        assert not any(str(learner.id) in text for learner in other.learners)


def test_a_deactivated_person_has_no_feed(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    learner = worlds[0].learners[0]
    path = _make_feed(client, learner)

    async def deactivate(db: AsyncSession) -> None:
        await db.execute(update(User).where(User.id == learner.id).values(is_active=False))

    run_db(settings, deactivate)
    assert client.get(path).status_code == 404


def test_my_time_zone_is_an_iana_name(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    me = with_session(client, worlds[0].learners[0])
    for bad in ("Mars/Olympus_Mons", "posixrules", "../../etc/passwd", "x" * 65):
        response = me.patch("/api/v1/me", json={"time_zone": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]["field"] == "time_zone"
    unknown = me.patch("/api/v1/me", json={"time_zone": "Mars/Olympus_Mons"}).json()
    assert "Unknown time zone" in unknown["error"]["message"]
    assert me.get("/api/v1/me").json()["user"]["time_zone"] is None  # nothing half-written
    chosen = me.patch("/api/v1/me", json={"time_zone": "America/New_York"})
    assert chosen.status_code == 200
    assert chosen.json()["user"]["time_zone"] == "America/New_York"
    assert me.patch("/api/v1/me", json={"display_name": "Lou"}).json()["user"]["time_zone"] == (
        "America/New_York"  # left out: kept
    )
    assert me.patch("/api/v1/me", json={"time_zone": ""}).json()["user"]["time_zone"] is None


@pytest.fixture
def logged_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"log_format": "json", "log_level": "INFO"})


def test_a_feeds_token_is_never_logged(
    worlds: list[OrgWorld], logged_settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    from app.asgi import create_app

    learner = worlds[0].learners[0]
    with TestClient(create_app(logged_settings), base_url="http://127.0.0.1") as client:
        path = _make_feed(client, learner)
        assert client.get(path).status_code == 200
        assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    err = capfd.readouterr().err
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert token not in err
    routes = [json.loads(line).get("route") for line in err.splitlines() if line.startswith("{")]
    assert "/calendar/{feed}" in routes
    assert UUID(str(learner.id))  # the access log carries ids, as for any request


def _form(person: Any, path: str, **fields: str) -> Any:
    return person.request("POST", path, data=fields or {"_": ""}, follow_redirects=False)


def test_the_account_page_shows_a_new_url_once_and_revokes_it(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha = worlds[0]
    me = with_session(client, alpha.learners[0])
    page = me.get("/account").text
    assert 'id="calendar-section"' in page
    assert "Aucun lien de calendrier" in page
    made = _form(me, "/account/calendar")
    assert made.status_code == 200
    found = re.search(r'id="calendar-url" value="(http://[^"]+\.ics)"', made.text)
    assert found is not None
    path = urlsplit(found.group(1)).path
    assert client.get(path).status_code == 200
    again = me.get("/account").text
    assert path not in again  # shown once
    assert "Un lien de calendrier est actif" in again
    revoked = _form(me, "/account/calendar/revoke")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/account?saved=calendar_revoked"
    assert client.get(path).status_code == 404
    assert "Lien de calendrier révoqué" in me.get("/account?saved=calendar_revoked").text
    # An admin's page has no calendar, and the form is refused.
    admin = with_session(client, alpha.admin)
    assert 'id="calendar-section"' not in admin.get("/account").text
    assert _form(admin, "/account/calendar").status_code == 403


def test_the_account_page_sets_the_time_zone_pages_then_use(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    me = with_session(client, worlds[0].learners[0])
    profile = {"display_name": "Lou", "locale": "en"}
    refused = _form(me, "/account/profile", **profile, time_zone="Mars/Olympus_Mons")
    assert refused.status_code == 400
    assert 'id="time_zone-error"' in refused.text
    assert "Choose a time zone from the list" not in refused.text  # the reader's language...
    assert "Choisissez un fuseau horaire" in refused.text  # ...French until saved
    saved = _form(me, "/account/profile", **profile, time_zone="America/New_York")
    assert saved.status_code == 303
    page = me.get("/account").text
    assert '<option value="America/New_York" selected>' in page
    assert 'data-time-zone="America/New_York"' in page
    assert me.get("/api/v1/me").json()["user"]["time_zone"] == "America/New_York"
    assert _form(me, "/account/profile", **profile, time_zone="").status_code == 303
    assert me.get("/api/v1/me").json()["user"]["time_zone"] is None
    assert "data-time-zone" not in me.get("/account").text


def test_erasure_ends_the_feed_and_forgets_the_zone(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    learner = worlds[0].learners[0]
    me = with_key(client, learner)
    assert me.patch("/api/v1/me", json={"time_zone": "Europe/London"}).status_code == 200
    path = _make_feed(client, learner)
    erased = me.post("/api/v1/me/erase", json={"confirm": learner.email})
    assert erased.status_code == 200, erased.text
    assert client.get(path).status_code == 404

    async def kept(db: AsyncSession) -> tuple[str | None, str | None]:
        user = await db.get(User, learner.id)
        assert user is not None
        return user.calendar_token_hash, user.time_zone

    assert run_db(settings, kept) == (None, None)


def test_the_learners_page_puts_items_on_their_own_day(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha = worlds[0]
    learner = alpha.learners[0]
    arrived = (datetime.now(UTC) - timedelta(days=3)).replace(
        hour=22, minute=0, second=0, microsecond=0
    )  # 9:00 the next morning in Sydney (summer there, UTC+11)

    async def deliver(db: AsyncSession) -> None:
        await db.execute(
            update(Suggestion)
            .where(Suggestion.id == alpha.draft_ids[learner.id][0])
            .values(state=SuggestionState.DELIVERED, deliver_at=arrived, delivered_at=arrived)
        )

    run_db(settings, deliver)
    me = with_session(client, learner)
    # Without a zone of their own, the installation's (the rhythm's) day.
    utc_day, sydney_day = arrived.date(), (arrived + timedelta(hours=11)).date()
    default_day = arrived.astimezone(ZoneInfo(settings.delivery_time_zone)).date()
    assert f'<time datetime="{default_day.isoformat()}">' in me.get("/me").text
    assert me.patch("/api/v1/me", json={"time_zone": "Australia/Sydney"}).status_code == 200
    page = me.get("/me").text
    assert f'<time datetime="{sydney_day.isoformat()}">' in page
    assert sydney_day != utc_day
    if default_day != sydney_day:  # Paris in summer reaches the next day too
        assert f'<time datetime="{default_day.isoformat()}">' not in page
