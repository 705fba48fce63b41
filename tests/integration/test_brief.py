"""The pre-session brief through the HTTP API: the coach hears of the learner's answers, the
open safety alerts (tier and date, never what was said) and what they shared since the
session, each point cited; private material never reaches it; "nothing to report" only when
nothing is new.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.brief.changes import day
from agents.llm import ModelError
from app.db.models import AgentRun, Escalation
from app.domain.briefs import services as briefs
from app.lib.clock import utcnow
from app.settings import Settings
from tests.fakes import ScriptedChatModel
from tests.support import As, OrgWorld, run_db, with_key, with_session

URGENT = "Je prépare ma réunion de jeudi, mais honnêtement je pense à mettre fin à mes jours."
SUPPORT = (
    "Mon manager me fait des remarques sexuelles depuis des semaines, je ne sais plus quoi faire."
)
ANSWER = "J'ai demandé un retour à un pair après la réunion d'équipe de lundi."
SHARED_NOTE = "Préparer la réunion m'a rendue plus sereine."
PRIVATE_NOTE = "PRIVATE-JOURNAL je n'ose pas en parler à mon coach."
PRIVATE_CHAT = "PRIVATE-CHAT comment dire non à mon manager ?"


def _brief(coach: As, learner_id: Any) -> dict[str, Any]:
    """Write the brief, then read it back as the coach's page does."""
    path = f"/api/v1/learners/{learner_id}/brief"
    written = coach.post(path)
    assert written.status_code == 201, written.text
    read = coach.get(path)
    assert read.status_code == 200, read.text
    assert read.json()["run_id"] == written.json()["run_id"]
    return dict(read.json()["brief"])


def _texts(section: list[dict[str, Any]]) -> list[str]:
    return [point["text"] for point in section]


def _cited(section: list[dict[str, Any]]) -> set[str]:
    return {cite["id"] for point in section for cite in point["cites"]}


def _answer(client: TestClient[Any], world: OrgWorld) -> dict[str, Any]:
    person = world.learners[0]
    coach, learner = with_key(client, world.coach), with_key(client, person)
    draft_id = world.draft_ids[person.id][0]
    assert coach.post(f"/api/v1/suggestions/{draft_id}/approve", json={}).status_code == 200
    assert learner.get("/api/v1/feed").json()["items"]  # delivered by reading the feed
    answered = learner.post(f"/api/v1/feed/{draft_id}/answers", json={"text": ANSWER})
    assert answered.status_code == 201, answered.text
    return dict(answered.json())


def _raise_alerts(learner: As) -> None:
    """An urgent alert raised by the guard, and a support alert the learner asked for, both
    from conversations the learner never shared."""
    urgent = learner.post("/api/v1/conversations", json={}).json()["id"]
    turn = learner.post(f"/api/v1/conversations/{urgent}/messages", json={"content": URGENT})
    assert turn.json()["reply"]["safety"]["coach"] == "alerted", turn.text
    support = learner.post("/api/v1/conversations", json={}).json()["id"]
    turn = learner.post(f"/api/v1/conversations/{support}/messages", json={"content": SUPPORT})
    reply = turn.json()["reply"]
    assert reply["safety"]["coach"] == "offered", turn.text
    told = learner.post(f"/api/v1/conversations/{support}/messages/{reply['id']}/tell-coach")
    assert told.status_code == 201, told.text


def _write_private_material(learner: As) -> None:
    learner.post("/api/v1/journal", json={"text": PRIVATE_NOTE})
    private = learner.post("/api/v1/conversations", json={}).json()["id"]
    learner.post(f"/api/v1/conversations/{private}/messages", json={"content": PRIVATE_CHAT})


def test_the_brief_tells_the_coach_of_the_answer_the_alerts_and_the_shared_note(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]], settings: Settings
) -> None:
    client = start_app()
    alpha = worlds[0]
    person = alpha.learners[0]
    coach, learner = with_key(client, alpha.coach), with_key(client, person)
    answer = _answer(client, alpha)
    note = learner.post("/api/v1/journal", json={"text": SHARED_NOTE, "shared_with_coach": True})
    _raise_alerts(learner)
    _write_private_material(learner)
    out_of_scope = _out_of_scope_row(settings, alpha, person.id)
    alerts = coach.get("/api/v1/escalations", params={"status": "open"}).json()["items"]
    assert {a["tier"] for a in alerts} == {"urgent", "support"}

    brief = _brief(coach, person.id)

    today = day(utcnow().isoformat(), "fr")
    alert_point, since_point = brief["changes"]
    assert alert_point["text"] == (
        f"2 alertes de sécurité restent ouvertes (1 urgente et 1 de soutien), levées le {today}."
    )
    assert {c["id"] for c in alert_point["cites"]} == {a["id"] for a in alerts}
    assert {c["kind"] for c in alert_point["cites"]} == {"alert"}
    assert since_point["text"].startswith("Depuis la séance du ")
    assert since_point["text"].endswith(": 1 réponse et 1 note de journal partagée.")
    assert {c["id"] for c in since_point["cites"]} == {answer["id"], note.json()["id"]}
    (answer_point,) = brief["answers"]
    assert ANSWER.rstrip(".") in answer_point["text"]
    assert [c["id"] for c in answer_point["cites"]] == [answer["id"]]
    assert brief["alert_count"] == 2
    said = json.dumps(brief, ensure_ascii=False)
    assert "Rien à signaler" not in said
    # Never what the learner said in the alerts, nor anything private, nor another tier.
    for secret in ("mettre fin", "remarques", "PRIVATE-JOURNAL", "PRIVATE-CHAT"):
        assert secret not in said
    assert str(out_of_scope) not in said


def _out_of_scope_row(settings: Settings, world: OrgWorld, learner_id: Any) -> Any:
    """An out-of-scope alert the app never writes (the guard tells only where to turn): if
    one existed, it would still not be the coach's business."""

    async def write(db: AsyncSession) -> Any:
        row = Escalation(
            organization_id=world.id,
            learner_id=learner_id,
            coach_id=world.coach.id,
            category="legal",
            tier="out_of_scope",
            detected_by="rules",
            stage="message",
        )
        db.add(row)
        await db.flush()
        return row.id

    return run_db(settings, write)


def test_with_nothing_new_the_brief_says_there_is_nothing_to_report(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = worlds[0]
    person = alpha.learners[0]
    coach = with_key(client, alpha.coach)

    brief = _brief(coach, person.id)

    (point,) = brief["changes"]
    assert point["text"].startswith("Rien à signaler depuis la séance du ")
    assert point["text"].endswith(
        ": ni réponse, ni note de journal ou conversation partagée, ni alerte ouverte."
    )
    assert point["cites"] == []
    assert brief["answers"] == []


def test_private_journal_entries_and_conversations_never_reach_the_brief(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = worlds[0]
    person = alpha.learners[0]
    coach, learner = with_key(client, alpha.coach), with_key(client, person)
    private_note = learner.post("/api/v1/journal", json={"text": PRIVATE_NOTE}).json()
    _write_private_material(learner)

    brief = _brief(coach, person.id)

    # Private material is not news to the coach: nothing to report, nothing cited.
    assert brief["changes"][0]["text"].startswith("Rien à signaler depuis la séance du ")
    assert brief["evidence_count"] == 0
    said = json.dumps(brief, ensure_ascii=False)
    assert "PRIVATE-JOURNAL" not in said
    assert "PRIVATE-CHAT" not in said
    assert private_note["id"] not in said
    # Once shared, the same entry is the coach's to read, and the brief cites it.
    shared = learner.patch(
        f"/api/v1/journal/{private_note['id']}", json={"shared_with_coach": True}
    )
    assert shared.status_code == 200, shared.text
    cited = _cited(_brief(coach, person.id)["changes"])
    assert private_note["id"] in cited


@pytest.mark.parametrize(
    "error",
    [ModelError("timeout", "The model did not answer in time."), TimeoutError("read timed out")],
    ids=["model-timeout", "client-timeout"],
)
def test_a_model_that_fails_leaves_the_coach_the_composers_brief_saying_so(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    error: Exception,
) -> None:
    """A timeout the model client did not translate to ModelError answered 500 before."""
    alpha = worlds[0]
    person = alpha.learners[0]
    model = ScriptedChatModel([error])
    client = start_app(model)
    coach = with_key(client, alpha.coach)

    brief = _brief(coach, person.id)

    assert brief["changes"][0]["text"].startswith("Rien à signaler")  # the composer's brief
    assert len(model.calls) == 1
    run = coach.get(f"/api/v1/learners/{person.id}/brief").json()
    assert run["fallback_used"] is True
    assert run["provider"] == "composer"

    async def stored(db: AsyncSession) -> tuple[str, str]:
        row = await db.get(AgentRun, UUID(run["run_id"]))
        assert row is not None
        return row.error, row.details["fallback_reason"]

    cause, reason = run_db(settings, stored)
    assert "(timeout)" in cause  # the model's failure is kept, with its cause
    assert "timeout" in reason
    page = with_session(client, alpha.coach).get(f"/coach/learners/{person.id}/brief")
    assert 'id="brief-fallback"' in page.text  # and shown to the coach
    assert "timeout" in page.text


def test_when_no_brief_can_be_written_the_coach_gets_503_and_a_retry_hint_never_500(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("the composer broke too")

    monkeypatch.setattr(briefs, "draft_brief", broken)
    alpha = worlds[0]
    client = start_app(ScriptedChatModel([]))
    coach = with_key(client, alpha.coach)
    path = f"/api/v1/learners/{alpha.learners[0].id}/brief"

    response = coach.post(path)

    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == str(briefs.RETRY_AFTER_S)
    error = response.json()["error"]
    assert error["code"] == "brief_unavailable"
    assert "retry" in error["message"]

    async def failed(db: AsyncSession) -> list[str]:
        runs = await db.scalars(
            select(AgentRun).where(AgentRun.kind == "brief", AgentRun.status == "failed")
        )
        return [run.error for run in runs]

    (cause,) = run_db(settings, failed)  # the failure is kept, with its cause
    assert "the composer broke too" in cause
    assert coach.get(path).status_code == 404  # a failed attempt is not a brief
