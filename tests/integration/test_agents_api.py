"""The agents through the HTTP API: plan jobs, chat turns (whole and streamed), escalations.

The knowledge of organisation alpha is a few documents of the French sample pack, indexed
before the app starts; beta holds a canary document that must never reach alpha.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from agents.llm import ModelError
from app.db.models import AgentRun
from app.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import UniversalSentenceEncoder
from knowledge.loaders import load_document
from knowledge.packs import PACKS_DIR, read_pack
from tests.fakes import ScriptedChatModel
from tests.support import As, OrgWorld, build_worlds, run_db, with_key

PACK_FILES = ("values.md", "strategy.md", "team-bureau-etudes.md", "program/feedback.md")
CANARY_DOC = (
    "# Valeurs CANARY-BETA\n\n## Parler vrai\n\nCANARY-BETA : chez nous, parler vrai veut dire "
    "donner des retours directs et bienveillants à son équipe.\n"
)
HELD_AT = "2026-11-20T09:00:00Z"


def _index(settings: Settings, worlds: list[OrgWorld]) -> None:
    knowledge = KnowledgeBase(settings.knowledge_dir, UniversalSentenceEncoder())
    pack = read_pack(PACKS_DIR / "horizon-fr")
    alpha = knowledge.organization(str(worlds[0].id))
    for name in PACK_FILES:
        alpha.index_document(load_document(name, pack.files[name]), document_id=name, version=1)
    beta = knowledge.organization(str(worlds[1].id))
    canary = load_document("v.md", CANARY_DOC.encode(), kind="value", language="fr")
    beta.index_document(canary, document_id="v", version=1)


@pytest.fixture
def seeded(settings: Settings) -> list[OrgWorld]:
    worlds = build_worlds(settings, "alpha", "beta")
    _index(settings, worlds)
    return worlds


def _log_session(coach: As, learner_id: Any, **extra: Any) -> dict[str, Any]:
    response = coach.post(
        "/api/v1/sessions",
        json={
            "learner_id": str(learner_id),
            "held_at": HELD_AT,
            "goal": "Donner des retours plus directs à mon équipe.",
            "focus_skills": ["feedback"],
            "agreed_actions": ["Demander un retour à un pair chaque semaine."],
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _wait_for_plan(coach: As, session_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = coach.get(f"/api/v1/sessions/{session_id}/plan").json()
        if run["status"] in {"done", "failed"}:
            return dict(run)
        time.sleep(0.2)
    raise AssertionError(f"the plan job did not finish: {run}")


def _drafts_of(coach: As, run_id: str) -> list[dict[str, Any]]:
    items = coach.get("/api/v1/suggestions", params={"limit": 100}).json()["items"]
    return [s for s in items if s["run_id"] == run_id]


def test_logging_a_session_drafts_a_grounded_plan_behind_the_gate(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = seeded[0]
    coach, learner = with_key(client, alpha.coach), with_key(client, alpha.learners[0])

    session = _log_session(coach, alpha.learners[0].id)
    assert session["plan_run_id"]
    run = _wait_for_plan(coach, session["id"])

    assert run["status"] == "done"
    assert run["provider"] == "composer"
    assert not run["fallback_used"]
    assert run["retrieved_ids"]
    drafts = _drafts_of(coach, run["id"])
    assert 3 <= len(drafts) <= 6
    assert {"reflection", "company_question", "team_question"} <= {d["kind"] for d in drafts}
    assert all(d["state"] == "pending_review" for d in drafts)
    cited = {c["chunk_id"] for d in drafts for c in d["citations"]}
    assert cited
    assert cited <= set(run["retrieved_ids"])
    assert "CANARY-BETA" not in json.dumps(drafts)
    # The gate: nothing reaches the learner before the coach decides.
    feed = learner.get("/api/v1/feed").json()["items"]
    assert not {d["id"] for d in drafts} & {item["id"] for item in feed}
    # The run behind the drafts is the coach's to read, nobody else's.
    assert coach.get(f"/api/v1/agent-runs/{run['id']}").status_code == 200
    assert learner.get(f"/api/v1/agent-runs/{run['id']}").status_code == 403
    assert (
        with_key(client, alpha.idle_coach).get(f"/api/v1/agent-runs/{run['id']}").status_code == 404
    )
    assert (
        with_key(client, seeded[1].coach).get(f"/api/v1/agent-runs/{run['id']}").status_code == 404
    )


def test_a_plan_is_requested_once_per_session_unless_the_coach_asks_again(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    coach = with_key(client, seeded[0].coach)
    session = _log_session(coach, seeded[0].learners[0].id)
    first = _wait_for_plan(coach, session["id"])

    same = coach.post(f"/api/v1/sessions/{session['id']}/plan", json={})
    assert same.status_code == 200
    assert same.json()["id"] == first["id"]
    again = coach.post(f"/api/v1/sessions/{session['id']}/plan", json={"again": True})
    assert again.status_code == 202
    assert again.json()["generation"] == 1
    second = _wait_for_plan(coach, session["id"])
    assert second["id"] != first["id"]
    assert _drafts_of(coach, second["id"])


@pytest.mark.parametrize(
    "timeout",
    [ModelError("timeout", "slow"), TimeoutError("read timed out")],
    ids=["model-timeout", "client-timeout"],  # a client's own timeout failed the run before
)
def test_a_failing_model_is_retried_then_the_composer_plan_is_saved(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]], timeout: Exception
) -> None:
    model = ScriptedChatModel([ModelError("server", "500"), timeout] * 2)
    client = start_app(model, plan_max_attempts=2)
    coach = with_key(client, seeded[0].coach)
    session = _log_session(coach, seeded[0].learners[0].id)

    run = _wait_for_plan(coach, session["id"])

    assert run["status"] == "done"
    assert run["attempts"] == 2
    assert run["fallback_used"]
    assert "timeout" in run["details"]["fallback_reason"]
    assert run["provider"] == "composer"
    assert _drafts_of(coach, run["id"])
    assert len(model.calls) == 2


def test_a_chat_turn_stores_the_message_and_replies_with_citations(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    learner = with_key(client, seeded[0].learners[0])
    conversation = learner.post("/api/v1/conversations", json={"title": "Retours"}).json()

    turn = learner.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        json={"content": "Comment donner un retour direct à un collègue sans le froisser ?"},
    )

    assert turn.status_code == 201, turn.text
    body = turn.json()
    assert body["message"]["status"] == "replied"
    reply = body["reply"]
    assert reply["role"] == "assistant"
    assert reply["reply_to_id"] == body["message"]["id"]
    assert reply["citations"], reply["content"]
    assert reply["content"].count("?") <= 1 + sum(c["quote"].count("?") for c in reply["citations"])
    assert "CANARY-BETA" not in reply["content"]
    listed = learner.get(f"/api/v1/conversations/{conversation['id']}/messages").json()["items"]
    assert [m["role"] for m in listed] == ["learner", "assistant"]


@pytest.mark.parametrize(
    ("error", "kind"),
    [(ModelError("rate_limited", "429"), "rate_limited"), (TimeoutError("slow"), "timeout")],
    ids=["rate-limited", "client-timeout"],  # a client's own timeout was shown without its kind
)
def test_a_model_failure_keeps_the_message_and_a_retry_answers_it(
    seeded: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    error: Exception,
    kind: str,
) -> None:
    model = ScriptedChatModel(
        [error, "Je vous entends. [S1] Qu'est-ce qui compte le plus pour vous ?"]
    )
    client = start_app(model)
    learner = with_key(client, seeded[0].learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()
    path = f"/api/v1/conversations/{conversation['id']}/messages"

    failed = learner.post(path, json={"content": "Comment parler vrai à mon équipe ?"}).json()

    assert failed["reply"] is None
    assert failed["message"]["status"] == "failed"
    assert "saved" in failed["message"]["error"]
    assert f"({kind})" in failed["message"]["error"]
    listed = learner.get(path).json()["items"]
    assert [m["content"] for m in listed] == ["Comment parler vrai à mon équipe ?"]

    retried = learner.post(f"{path}/{failed['message']['id']}/retry", json={})
    assert retried.status_code == 201, retried.text
    assert retried.json()["message"]["status"] == "replied"
    assert retried.json()["reply"]["content"].startswith("Je vous entends.")
    again = learner.post(f"{path}/{failed['message']['id']}/retry", json={})
    assert again.status_code == 409


def test_distress_gets_a_safe_reply_and_alerts_the_coach_without_calling_the_model(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    model = ScriptedChatModel([])  # any call would fail the test
    client = start_app(model)
    alpha = seeded[0]
    admin = with_key(client, alpha.admin)
    policy = {"escalation_resources": [{"label": "Ligne d'écoute", "contact": "3114"}]}
    assert admin.patch("/api/v1/organization", json={"policy": policy}).status_code == 200
    learner = with_key(client, alpha.learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()

    turn = learner.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        json={"content": "Je n'en peux plus, j'ai envie d'en finir avec la vie."},
    ).json()

    assert "3114" in turn["reply"]["content"]
    assert turn["reply"]["citations"] == []
    assert model.calls == []
    coach = with_key(client, alpha.coach)
    escalations = coach.get("/api/v1/escalations").json()["items"]
    assert [e["category"] for e in escalations] == ["self_harm"]
    assert "finir" not in json.dumps(escalations)  # the category, never the text
    assert admin.get("/api/v1/escalations").status_code == 403
    assert with_key(client, alpha.idle_coach).get("/api/v1/escalations").json()["items"] == []
    acknowledged = coach.post(f"/api/v1/escalations/{escalations[0]['id']}/acknowledge")
    assert acknowledged.json()["status"] == "acknowledged"


def _sse(response: httpx.Response) -> list[tuple[str, Any]]:
    events = []
    for block in response.text.replace("\r\n", "\n").strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields.get("event", ""), json.loads(fields.get("data", "null"))))
    return events


def test_the_reply_streams_as_server_sent_events(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    reply_text = (
        "Je vous entends, c'est délicat. Voyez <b>Parler vrai</b> [S1]. "
        "Qu'est-ce qui vous retient ?"
    )
    client = start_app(ScriptedChatModel([reply_text]))
    learner = with_key(client, seeded[0].learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()

    response = learner.post(
        f"/api/v1/conversations/{conversation['id']}/messages/stream",
        json={"content": "Comment donner un retour direct à un collègue sans le froisser ?"},
    )

    assert response.status_code == 201
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _sse(response)
    names = [name for name, _ in events]
    assert names[0] == "stored"
    assert names[-1] == "reply"
    assert names.count("delta") >= 3
    streamed = ""  # what a client shows: deltas appended, a replace starting over
    for name, data in events:
        if name == "delta":
            streamed += data["text"]
        elif name == "replace":
            streamed = data["text"]
    final = events[-1][1]
    assert streamed == final["content"]
    assert "<b>" not in streamed  # sanitised before it reaches the client
    assert final["citations"]


def test_a_plan_job_cut_by_a_restart_is_finished_after_it(
    seeded: list[OrgWorld], settings: Settings, start_app: Callable[..., TestClient[Any]]
) -> None:
    alpha = seeded[0]
    learner = alpha.learners[0]
    session_id = alpha.session_ids[learner.id]

    async def cut_off(db: AsyncSession) -> UUID:
        # What a process killed mid-run leaves behind: a claimed run, never finished.
        run = AgentRun(
            organization_id=alpha.id,
            kind="plan",
            session_id=session_id,
            learner_id=learner.id,
            status="running",
            attempts=1,
        )
        db.add(run)
        await db.flush()
        return run.id

    run_id = run_db(settings, cut_off)
    client = start_app()
    run = _wait_for_plan(with_key(client, alpha.coach), str(session_id))

    assert run["id"] == str(run_id)
    assert run["status"] == "done"
    assert run["attempts"] == 2
    assert _drafts_of(with_key(client, alpha.coach), run["id"])


def test_the_brief_cites_what_the_learner_shared_and_only_that(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = seeded[0]
    learner_person = alpha.learners[0]
    coach, learner = with_key(client, alpha.coach), with_key(client, learner_person)
    draft_id = alpha.draft_ids[learner_person.id][0]
    assert coach.post(f"/api/v1/suggestions/{draft_id}/approve", json={}).status_code == 200
    assert learner.get("/api/v1/feed").json()["items"]  # delivered by reading the feed
    answer = learner.post(
        f"/api/v1/feed/{draft_id}/answers",
        json={"text": "J'ai demandé un retour à un pair sur mon action de la semaine."},
    ).json()
    shared = learner.post("/api/v1/conversations", json={"shared_with_coach": True}).json()
    private = learner.post("/api/v1/conversations", json={}).json()
    shared_turn = learner.post(
        f"/api/v1/conversations/{shared['id']}/messages",
        json={"content": "Comment demander un retour sans paraître fragile ?"},
    ).json()
    learner.post(
        f"/api/v1/conversations/{private['id']}/messages",
        json={"content": "Secret PRIVATE-NOTE : je doute de mon manager, comment le dire ?"},
    )
    note = learner.post(
        "/api/v1/journal",
        json={
            "text": "Feedback : demander un retour à un pair m'a aidée cette semaine.",
            "shared_with_coach": True,
        },
    ).json()
    learner.post("/api/v1/journal", json={"text": "PRIVATE-JOURNAL : feedback, retour, pair."})

    response = coach.post(f"/api/v1/learners/{learner_person.id}/brief")

    assert response.status_code == 201, response.text
    brief = response.json()
    cited = {
        c["id"]
        for section in brief["brief"].values()
        if isinstance(section, list)
        for point in section
        for c in point["cites"]
    }
    assert answer["id"] in cited
    assert shared_turn["message"]["id"] in cited
    assert note["id"] in cited  # a journal entry the learner shared
    assert "PRIVATE-NOTE" not in json.dumps(brief)  # never from an unshared conversation
    assert "PRIVATE-JOURNAL" not in json.dumps(brief)  # nor from a private journal entry
    assert brief["brief"]["progress"]  # one point per agreed action
    path = f"/api/v1/learners/{learner_person.id}/brief"
    assert coach.get(path).json()["run_id"] == brief["run_id"]
    assert learner.get(path).status_code == 403
    assert with_key(client, alpha.admin).get(path).status_code == 403
    assert with_key(client, alpha.idle_coach).post(path).status_code == 404
    assert with_key(client, seeded[1].coach).get(path).status_code == 404


def test_a_reply_that_cannot_be_stored_leaves_the_message_failed_and_retryable(
    seeded: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.domain.conversations import turns

    real_save = turns.save_reply
    calls: list[int] = []

    async def busy_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")  # what a busy SQLite answered in a bench
        return await real_save(*args, **kwargs)

    monkeypatch.setattr(turns, "save_reply", busy_once)
    client = start_app()
    learner = with_key(client, seeded[0].learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()
    path = f"/api/v1/conversations/{conversation['id']}/messages"

    turn = learner.post(path, json={"content": "Comment parler vrai à mon équipe ?"}).json()

    assert turn["reply"] is None
    assert turn["message"]["status"] == "failed"
    retried = learner.post(f"{path}/{turn['message']['id']}/retry", json={}).json()
    assert retried["message"]["status"] == "replied"
    assert retried["reply"]["content"]


def test_a_learner_s_own_situation_gets_a_reflection_prompt_of_their_program(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    """The question after a learner's own situation comes from a module of the program they
    follow, and never from another organisation's program."""
    client = start_app()
    alpha, beta = seeded[0], seeded[1]
    prompt = f"Que risquez-vous réellement en osant, et en n'osant pas ({alpha.canary}) ?"
    admin = with_key(client, alpha.admin)
    added = admin.post(
        f"/api/v1/programs/{alpha.program_id}/modules",
        json={"title": "L'audace", "skill": "audace", "reflection_prompts": [prompt]},
    )
    assert added.status_code == 201, added.text
    message = "Hier en réunion, je n'ai pas osé dire que le planning était intenable."

    replies = []
    for learner in (alpha.learners[0], beta.learners[0]):
        api = with_key(client, learner)
        conversation = api.post("/api/v1/conversations", json={}).json()
        turn = api.post(
            f"/api/v1/conversations/{conversation['id']}/messages", json={"content": message}
        )
        assert turn.status_code == 201, turn.text
        replies.append(turn.json()["reply"]["content"])

    assert prompt in replies[0]
    assert "audace" in replies[0]  # the skill heard, named in the learner's words
    assert alpha.canary not in replies[1]


def test_chat_never_offers_another_learners_banked_item(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = seeded[0]
    coach = with_key(client, alpha.coach)
    first, second = alpha.learners
    draft_id = alpha.draft_ids[first.id][0]
    assert coach.post(f"/api/v1/suggestions/{draft_id}/approve", json={}).status_code == 200
    banked = coach.post(
        f"/api/v1/suggestions/{draft_id}/save-to-bank", json={"scale": "team", "skill": "feedback"}
    )
    assert banked.status_code == 201, banked.text
    other = with_key(client, second)
    conversation = other.post("/api/v1/conversations", json={}).json()

    for text in ("Je voudrais une recette de gâteau", "Comment parler vrai à mon équipe ?"):
        turn = other.post(
            f"/api/v1/conversations/{conversation['id']}/messages", json={"content": text}
        ).json()
        assert banked.json()["text"] not in turn["reply"]["content"]
