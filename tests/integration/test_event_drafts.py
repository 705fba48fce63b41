"""Company events on the path, through the real API and job, on both databases: an admin
uploads an event; in the days before it each enrolled learner gets a preparation question drafted
from the event's passage, after it a lessons-learned one, each once, behind the coach's gate."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import anyio
from litestar.testing import TestClient
from sqlalchemy import select

from agents.llm import ModelError
from app.db.models import AgentRun
from app.domain.plans.events import EventDrafter, phase_on
from app.lib.clock import utcnow
from app.settings import Settings
from tests.fakes import ScriptedChatModel
from tests.integration.test_knowledge_api import upload, wait_indexed
from tests.support import OrgWorld, with_key, with_session

EVENT_DAY = date(2027, 3, 10)
EVENT = f"""---
title: Journée portes ouvertes de Nantes
kind: event
language: fr
event_date: {EVENT_DAY.isoformat()}
---

# Journée portes ouvertes, 10 mars 2027

## Ce que cela signifie pour les équipes

Chaque équipe présente un meuble restauré aux visiteurs et explique son geste. Les apprentis
prennent la parole devant les clients pour la première fois.
""".encode()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour=hour), UTC)


def _drafter(client: TestClient[Any], settings: Settings, now: datetime) -> EventDrafter:
    state = client.app.state
    return EventDrafter(state.session_maker, state.agents, settings, clock=lambda: now)


def _run(client: TestClient[Any], settings: Settings, now: datetime) -> int:
    return client.blocking_portal.call(_drafter(client, settings, now).run_once)


def _event_drafts(coach: Any) -> list[dict[str, Any]]:
    items = coach.get("/api/v1/suggestions", params={"limit": 100}).json()["items"]
    return [s for s in items if s["event_phase"]]


def test_an_event_brings_each_learner_a_preparation_then_a_debrief_behind_the_gate(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]], settings: Settings
) -> None:
    client = start_app()
    alpha, beta = worlds
    admin = with_key(client, alpha.admin)
    response = upload(admin, "portes-ouvertes.md", EVENT)
    assert response.status_code == 202, response.text
    event = wait_indexed(admin, response.json()["id"])
    assert (event["status"], event["event_date"]) == ("indexed", EVENT_DAY.isoformat())
    coach = with_key(client, alpha.coach)

    too_early = EVENT_DAY - timedelta(days=settings.event_prepare_days + 1)
    assert _run(client, settings, _at(too_early)) == 0
    week_before = EVENT_DAY - timedelta(days=5)
    assert _run(client, settings, _at(week_before)) == len(alpha.learners)
    assert _run(client, settings, _at(week_before + timedelta(days=1))) == 0  # once

    drafts = _event_drafts(coach)
    assert {d["learner_id"] for d in drafts} == {str(p.id) for p in alpha.learners}
    for draft in drafts:
        assert (draft["state"], draft["event_phase"]) == ("pending_review", "prepare")
        assert draft["event_document_id"] == event["id"]
        assert "Journée portes ouvertes de Nantes" in draft["text"]
        assert "10 mars 2027" in draft["text"]
        assert draft["text"].count("?") == 1
        # Cited: the event's own passage, named by the document the admin uploaded.
        assert [c["document_id"] for c in draft["citations"]] == [event["id"]]
        # Two days before the event, at the delivery hour (local time).
        assert draft["deliver_at"].startswith((EVENT_DAY - timedelta(days=2)).isoformat())
    # Each has its run: what the agent used, open to the coach.
    run = with_session(client, alpha.coach).get(f"/coach/runs/{drafts[0]['run_id']}")
    assert run.status_code == 200
    assert "composer-event" in run.text
    # The coach's review page says what each is for.
    page = with_session(client, alpha.coach).get("/coach/review")
    assert page.text.count("Pour préparer un événement") == len(alpha.learners)
    # Behind the gate: the learner sees nothing until the coach approves.
    learner = with_key(client, alpha.learners[0])
    assert learner.get("/api/v1/feed").json()["items"] == []
    mine = next(d for d in drafts if d["learner_id"] == str(alpha.learners[0].id))
    now = utcnow().isoformat()  # the coach brings it forward to now
    approved = coach.post(f"/api/v1/suggestions/{mine['id']}/approve", json={"deliver_at": now})
    assert approved.status_code == 200, approved.text
    feed = learner.get("/api/v1/feed").json()["items"]
    assert [item["text"] for item in feed] == [mine["text"]]
    # Nothing for another organisation's people.
    assert _event_drafts(with_key(client, beta.coach)) == []

    assert _run(client, settings, _at(EVENT_DAY)) == 0  # the day itself: neither
    day_after = EVENT_DAY + timedelta(days=1)
    assert _run(client, settings, _at(day_after)) == len(alpha.learners)
    debriefs = [d for d in _event_drafts(coach) if d["event_phase"] == "debrief"]
    assert len(debriefs) == len(alpha.learners)
    assert all("a eu lieu" in d["text"] for d in debriefs)
    too_late = EVENT_DAY + timedelta(days=settings.event_debrief_days + 1)
    assert _run(client, settings, _at(too_late)) == 0


def test_two_drafters_at_once_draft_each_question_once(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]], settings: Settings
) -> None:
    client = start_app()
    alpha = worlds[0]
    admin = with_key(client, alpha.admin)
    wait_indexed(admin, upload(admin, "portes-ouvertes.md", EVENT).json()["id"])
    now = _at(EVENT_DAY - timedelta(days=3))

    async def both() -> list[int]:
        counts: list[int] = []

        async def one() -> None:
            counts.append(await _drafter(client, settings, now).run_once())

        async with anyio.create_task_group() as group:
            group.start_soon(one)
            group.start_soon(one)
        return counts

    counts = client.blocking_portal.call(both)
    assert sum(counts) == len(alpha.learners)
    assert len(_event_drafts(with_key(client, alpha.coach))) == len(alpha.learners)


def test_the_windows_around_an_event(settings: Settings) -> None:
    day = date(2027, 3, 10)
    assert phase_on(day - timedelta(days=settings.event_prepare_days), day, settings) == "prepare"
    assert phase_on(day - timedelta(days=1), day, settings) == "prepare"
    assert phase_on(day, day, settings) is None
    assert phase_on(day + timedelta(days=1), day, settings) == "debrief"
    last = day + timedelta(days=settings.event_debrief_days)
    assert phase_on(last, day, settings) == "debrief"
    assert phase_on(last + timedelta(days=1), day, settings) is None


def test_an_admin_declares_an_event_s_date_on_the_upload_form(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    """A PDF or a plain text has no front matter: the form says it is an event, and when."""
    client = start_app()
    admin = with_key(client, worlds[0].admin)
    text = b"Inauguration de l'atelier de Lorient. Chaque site envoie deux personnes."
    response = upload(admin, "lorient.txt", text, kind="event", event_date="2027-05-03")
    assert response.status_code == 202, response.text
    document = wait_indexed(admin, response.json()["id"])
    assert (document["kind"], document["event_date"]) == ("event", "2027-05-03")

    refused = upload(admin, "autre.txt", text, kind="event", event_date="bientôt")
    assert refused.status_code == 400
    assert "event_date" in refused.text


def test_proposed_days_avoid_weekends_and_days_off() -> None:
    from app.domain.organizations.schemas import Policy
    from app.domain.plans.events import proposed_delivery
    from app.domain.suggestions.rhythm import Rhythm

    rhythm = Rhythm().with_policy(Policy.load({"days_off": ["2027-03-08"]}))
    before = _at(date(2027, 1, 1))
    monday = date(2027, 3, 8)  # a day off here: the preparation comes the Friday before
    prepare = proposed_delivery("prepare", monday + timedelta(days=2), before, rhythm)
    assert prepare is not None
    assert prepare.date() == date(2027, 3, 5)
    friday = date(2027, 3, 12)  # the debrief comes the Monday after, not on Saturday
    debrief = proposed_delivery("debrief", friday, before, rhythm)
    assert debrief is not None
    assert debrief.date() == date(2027, 3, 15)
    assert proposed_delivery("debrief", friday, _at(date(2027, 4, 1)), rhythm) is None  # past


def test_a_model_failure_is_a_failed_run_and_the_next_pass_drafts(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]], settings: Settings
) -> None:
    question = "Qu'aimeriez-vous essayer pendant la journée portes ouvertes ?"
    model = ScriptedChatModel(
        [ModelError("timeout", "too slow"), ModelError("timeout", "too slow")]
        + [json.dumps({"question": question})] * 2
    )
    client = start_app(model)
    alpha = worlds[0]
    admin = with_key(client, alpha.admin)
    wait_indexed(admin, upload(admin, "portes-ouvertes.md", EVENT).json()["id"])
    now = _at(EVENT_DAY - timedelta(days=3))
    assert _run(client, settings, now) == 0
    runs = client.blocking_portal.call(_event_runs, client)
    assert [(r.status, "timeout" in r.error) for r in runs] == [("failed", True)] * 2
    assert _run(client, settings, now + timedelta(hours=1)) == len(alpha.learners)
    drafts = _event_drafts(with_key(client, alpha.coach))
    assert {d["text"] for d in drafts} == {question}


async def _event_runs(client: TestClient[Any]) -> list[AgentRun]:
    async with client.app.state.session_maker() as db:
        return list((await db.scalars(select(AgentRun).where(AgentRun.kind == "event"))).all())
