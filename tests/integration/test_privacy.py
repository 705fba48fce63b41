"""The learner's journal, export and erasure through the HTTP API, on both databases.

Journal entries are private unless shared; export shows what the learner may see and nothing
else (the approval gate holds there too); erasure removes the learner's words from the database
files themselves and from the knowledge folder, in their organisation only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import uuid4

from litestar.testing import TestClient

from app.settings import Settings
from tests.support import PASSWORD, OrgWorld, with_key, with_session

J = "/api/v1/journal"
Q = "/api/v1/suggestions"


def _write(learner: Any, text: str, *, shared: bool = False) -> dict[str, Any]:
    response = learner.post(J, json={"text": text, "shared_with_coach": shared})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _texts(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [entry["text"] for entry in response.json()["items"]]


def test_a_journal_entry_is_private_until_the_learner_shares_it(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, beta = worlds
    learner = with_session(client, alpha.learners[0])
    coach, idle_coach = with_key(client, alpha.coach), with_key(client, alpha.idle_coach)
    private = _write(learner, "  Je n'ose pas encore le dire à l'équipe.  ")
    assert private["text"] == "Je n'ose pas encore le dire à l'équipe."
    shared = _write(learner, "Ce que je veux travailler avec ma coach.", shared=True)

    assert _texts(learner.get(J)) == [shared["text"], private["text"]]  # newest first
    assert _texts(coach.get(J)) == [shared["text"]]
    assert coach.get(f"{J}/{private['id']}").status_code == 404
    assert _texts(idle_coach.get(J)) == []  # a coach without this learner sees nothing
    assert with_key(client, alpha.learners[1]).get(f"{J}/{shared['id']}").status_code == 404
    assert with_key(client, beta.learners[0]).get(f"{J}/{shared['id']}").status_code == 404
    assert with_key(client, alpha.admin).get(J).status_code == 403

    # Sharing is the learner's choice, both ways, and only theirs.
    assert coach.patch(f"{J}/{shared['id']}", json={"shared_with_coach": False}).status_code == 403
    learner.patch(f"{J}/{shared['id']}", json={"shared_with_coach": False})
    assert _texts(coach.get(J)) == []
    actions = with_key(client, alpha.admin).get("/api/v1/audit-events?action=journal.unshare")
    assert [e["target_id"] for e in actions.json()["items"]] == [shared["id"]]
    assert shared["text"] not in actions.text

    assert learner.delete(f"{J}/{private['id']}").status_code == 204
    assert learner.get(f"{J}/{private['id']}").status_code == 404


def test_a_bad_journal_entry_is_refused_naming_the_field(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    learner = with_key(client, worlds[0].learners[0])
    for body, field in (
        ({"text": "   "}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"text": "ok", "learner_id": str(uuid4())}, "learner_id"),
        ({"text": "ok", "shared_with_coach": "yes"}, "shared_with_coach"),
    ):
        response = learner.post(J, json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in response.text
    assert _texts(learner.get(J)) == []  # nothing half-written


def test_the_export_holds_what_the_learner_may_see_and_nothing_else(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    me, other = alpha.learners
    learner = with_key(client, me)
    coach = with_key(client, alpha.coach)
    approved, *pending = alpha.draft_ids[me.id]
    coach.post(f"{Q}/{approved}/approve")
    learner.post(f"/api/v1/feed/{approved}/answers", json={"text": "Ma réponse EXPORT-ANSWER"})
    _write(learner, "EXPORT-JOURNAL")
    conversation = learner.post("/api/v1/conversations", json={"title": "EXPORT-CHAT"}).json()
    learner.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        json={"content": "Comment oser donner mon avis ?"},
    )
    with_key(client, other).post(J, json={"text": "OTHER-LEARNER-JOURNAL"})

    response = learner.get("/api/v1/me/export")

    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    export = response.json()
    assert export["account"]["id"] == str(me.id)
    assert [item["id"] for item in export["items"]] == [str(approved)]  # the gate holds
    assert [a["text"] for a in export["answers"]] == ["Ma réponse EXPORT-ANSWER"]
    assert [j["text"] for j in export["journal"]] == ["EXPORT-JOURNAL"]
    [chat] = export["conversations"]
    assert chat["conversation"]["title"] == "EXPORT-CHAT"
    assert [m["role"] for m in chat["messages"]] == ["learner", "assistant"]
    assert [s["agreed_actions"] for s in export["sessions"]] == [[f"action {alpha.canary}"]]
    text = response.text
    assert f"notes {alpha.canary}" not in text  # the coach's notes stay the coach's
    assert "rationale" not in text
    assert "OTHER-LEARNER-JOURNAL" not in text
    assert not any(str(d) in text for d in pending)
    for role in (alpha.coach, alpha.admin):
        assert with_key(client, role).get("/api/v1/me/export").status_code == 403


def _files_containing(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_erasure_removes_the_learners_words_from_every_file_and_nothing_else(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, beta = worlds
    me, other = alpha.learners
    canary = f"ERASE-ME-{uuid4().hex}"
    learner = with_session(client, me)
    coach = with_key(client, alpha.coach)
    approved = alpha.draft_ids[me.id][0]
    coach.post(f"{Q}/{approved}/edit", json={"text": f"Votre équipe, {canary} ?"})
    learner.post(f"/api/v1/feed/{approved}/answers", json={"text": f"réponse {canary}"})
    _write(learner, f"journal {canary}", shared=True)
    conversation = learner.post("/api/v1/conversations", json={"title": canary}).json()
    turn = learner.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        json={"content": f"Comment dire {canary} à mon équipe ?"},
    )
    assert turn.status_code == 201, turn.text
    _companion_writes(client, learner, canary)
    other_before = with_key(client, alpha.coach).get(f"{Q}?learner_id={other.id}").json()
    beta_before = with_key(client, beta.coach).get(Q).json()

    refused = learner.post("/api/v1/me/erase", json={"confirm": "someone@else.example"})
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "confirm"
    assert _texts(learner.get(J)) == [f"journal {canary}"]  # nothing erased on a refusal

    erased = learner.post("/api/v1/me/erase", json={"confirm": me.email.upper()})

    assert erased.status_code == 200, erased.text
    counts = erased.json()["deleted"]
    assert counts["messages"] == 2
    assert counts["answers"] == counts["journal_entries"] == counts["conversations"] == 1
    assert counts["suggestions"] == len(alpha.draft_ids[me.id])
    assert counts["sessions"] == counts["enrollments"] == 1
    assert counts["companions"] == counts["companion_feedback"] == 1
    # The account is gone for every way in.
    assert learner.get(J).status_code == 401
    assert with_key(client, me).get("/api/v1/me").status_code == 401
    login = client.post(
        "/api/v1/auth/login",
        json={"organization": alpha.slug, "email": me.email, "password": PASSWORD},
    )
    assert login.status_code == 401
    # The coach's views hold nothing of them; other people's data is untouched.
    assert canary not in coach.get(Q, params={"limit": 100}).text
    assert _texts(coach.get(J)) == []
    assert with_key(client, alpha.coach).get(f"{Q}?learner_id={other.id}").json() == other_before
    assert with_key(client, beta.coach).get(Q).json() == beta_before
    events = with_key(client, alpha.admin).get("/api/v1/audit-events?action=user.erase")
    [event] = events.json()["items"]
    assert event["target_id"] == str(me.id)
    assert canary not in events.text
    # No file under the data folder (SQLite file and its log, knowledge store) keeps the words.
    assert _files_containing(settings.data_dir, canary.encode()) == []


def _companion_writes(client: TestClient[Any], learner: Any, canary: str) -> None:
    """A companion invited with the canary in their name answers with it, through their link."""
    invited = learner.post(
        "/api/v1/companions",
        json={
            "name": f"Ami {canary}",
            "email": "ami@friends.example",
            "relation": "relative",
            "question": f"Qu'avez-vous vu {canary} ?",
        },
    ).json()
    token = invited["link"].rsplit("/c/", 1)[1]
    page = client.get(f"/c/{token}").text
    request_id = page.split('name="request_id" value="', 1)[1].split('"', 1)[0]
    answered = client.post(
        f"/c/{token}", data={"request_id": request_id, "fact": f"fait {canary}", "effect": "effet"}
    )
    assert answered.status_code == 200, answered.text


def test_only_a_learner_erases_their_own_account(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    for person in (alpha.coach, alpha.admin):
        response = with_key(client, person).post("/api/v1/me/erase", json={"confirm": person.email})
        assert response.status_code == 403
    assert with_key(client, alpha.coach).get("/api/v1/me").status_code == 200


def _activity_cell(page: str, learner_id: object) -> str:
    row = page.split(f'data-learner-id="{learner_id}"', 1)[1].split("</tr>", 1)[0]
    return row.split("<td>")[3]  # drafts waiting, escalations, then last activity


def test_a_shared_journal_entry_is_the_learners_last_activity_for_the_coach(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    me = alpha.learners[0]
    coach = with_session(client, alpha.coach)
    learner = with_key(client, me)
    _write(learner, "private for now")
    assert "<time" not in _activity_cell(coach.get("/coach").text, me.id)  # a private entry

    _write(learner, "shared with my coach", shared=True)

    assert "<time" in _activity_cell(coach.get("/coach").text, me.id)


def test_the_export_keeps_an_ended_enrollment_but_not_the_coachs_record(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    me = alpha.learners[0]
    learner = with_key(client, me)
    [enrollment] = learner.get("/api/v1/enrollments").json()["items"]
    ended = with_key(client, alpha.admin).patch(
        f"/api/v1/enrollments/{enrollment['id']}", json={"is_active": False}
    )
    assert ended.status_code == 200, ended.text

    export = learner.get("/api/v1/me/export").json()

    # The learner's history names the coach they had (an id); the coach's record is closed.
    assert [(e["coach_id"], e["is_active"]) for e in export["enrollments"]] == [
        (str(alpha.coach.id), False)
    ]
    assert learner.get(f"/api/v1/users/{alpha.coach.id}").status_code == 404
    assert alpha.coach.email not in json.dumps(export)


def test_the_coach_page_shows_answers_and_shared_conversations_only(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha = worlds[0]
    person = alpha.learners[0]
    learner, coach = with_key(client, person), with_key(client, alpha.coach)
    draft_id = alpha.draft_ids[person.id][0]
    assert coach.post(f"{Q}/{draft_id}/approve", json={}).status_code == 200
    assert learner.get("/api/v1/feed").json()["items"]  # delivered by reading the feed
    answer = "ANSWER-SEEN : j'ai demandé un retour à Paul après la revue."
    assert (
        learner.post(f"/api/v1/feed/{draft_id}/answers", json={"text": answer}).status_code == 201
    )
    shared = learner.post("/api/v1/conversations", json={"shared_with_coach": True}).json()
    private = learner.post("/api/v1/conversations", json={}).json()
    for conversation, words in ((shared, "SHARED-TALK"), (private, "PRIVATE-TALK")):
        content = f"{words} : comment dire non à une réunion de plus ?"
        sent = learner.post(
            f"/api/v1/conversations/{conversation['id']}/messages", json={"content": content}
        )
        assert sent.status_code == 201, sent.text

    page = with_session(client, alpha.coach).get(f"/coach/learners/{person.id}/brief")

    assert page.status_code == 200, page.text
    answers = page.text.split('id="answers"')[1].split("</section>")[0]
    assert "ANSWER-SEEN" in answers
    talks = page.text.split('id="shared-conversations"')[1].split("</section>")[0]
    assert "SHARED-TALK" in talks
    assert "Compagnon" in talks or "Companion" in talks  # the companion's reply too
    assert "PRIVATE-TALK" not in page.text  # a conversation the learner did not share
    other = with_session(client, alpha.idle_coach).get(f"/coach/learners/{person.id}/brief")
    assert other.status_code == 404  # not this coach's learner
