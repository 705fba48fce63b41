"""Tenant isolation and role boundaries through every kind of object the API serves."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support import OrgWorld, with_key


def foreign_paths(other: OrgWorld) -> list[str]:
    learner = other.learners[0]
    draft = other.draft_ids[learner.id][0]
    return [
        f"/api/v1/users/{other.admin.id}",
        f"/api/v1/users/{learner.id}",
        f"/api/v1/programs/{other.program_id}",
        f"/api/v1/sessions/{other.session_ids[learner.id]}",
        f"/api/v1/suggestions/{draft}",
        f"/api/v1/suggestions/{draft}/answers",
        f"/api/v1/feed/{draft}",
    ]


@pytest.mark.parametrize("who", ["admin", "coach", "learner"])
def test_other_organisations_objects_are_not_found(
    client: TestClient[Any], worlds: list[OrgWorld], who: str
) -> None:
    alpha, beta = worlds
    person = {"admin": alpha.admin, "coach": alpha.coach, "learner": alpha.learners[0]}[who]
    caller = with_key(client, person)
    for path in foreign_paths(beta):
        response = caller.get(path)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert beta.canary not in response.text
        if response.status_code == 403:  # a role refusal, before any lookup
            assert "role" in response.json()["error"]["message"]


@pytest.mark.parametrize("who", ["admin", "coach", "idle_coach", "learner"])
def test_lists_never_show_another_organisation(
    client: TestClient[Any], worlds: list[OrgWorld], who: str
) -> None:
    alpha, beta = worlds
    person = getattr(alpha, who) if who != "learner" else alpha.learners[0]
    caller = with_key(client, person)
    for path in (
        "/api/v1/users",
        "/api/v1/enrollments",
        "/api/v1/programs",
        "/api/v1/sessions",
        "/api/v1/suggestions",
        "/api/v1/feed",
        "/api/v1/conversations",
        "/api/v1/question-bank",
        "/api/v1/api-keys",
        "/api/v1/audit-events",
        "/api/v1/organization",
        "/api/v1/me",
        "/api/v1/companions",
        "/api/v1/companion-feedback",
    ):
        response = caller.get(path)
        assert response.status_code in (200, 403), (path, response.text)
        assert beta.canary not in response.text, path
        assert str(beta.id) not in response.text, path


def test_ids_from_another_organisation_are_refused_in_bodies(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, beta = worlds
    admin = with_key(client, alpha.admin)
    response = admin.post(
        "/api/v1/enrollments",
        json={
            "learner_id": str(beta.learners[0].id),
            "coach_id": str(alpha.coach.id),
            "program_id": str(alpha.program_id),
        },
    )
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "learner_id"
    response = admin.post("/api/v1/api-keys", json={"name": "x", "user_id": str(beta.admin.id)})
    assert response.status_code == 403  # a key is for oneself: another org's id changes nothing
    response = with_key(client, alpha.coach).post(
        "/api/v1/sessions",
        json={"learner_id": str(beta.learners[0].id), "held_at": "2026-11-01T10:00:00+00:00"},
    )
    assert response.status_code == 404


def test_organisation_cannot_be_chosen_by_the_request(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, beta = worlds
    admin = with_key(client, alpha.admin)
    response = admin.post(
        "/api/v1/users",
        json={
            "email": "x@y.example",
            "display_name": "X",
            "role": "learner",
            "organization_id": str(beta.id),
        },
    )
    assert response.status_code == 400  # unknown fields are refused, not ignored
    assert response.json()["error"]["field"] == "organization_id"


def test_coach_sees_only_their_learners(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    idle = with_key(client, alpha.idle_coach)
    assert [u["id"] for u in idle.get("/api/v1/users").json()["items"]] == [
        str(alpha.idle_coach.id)
    ]
    assert idle.get(f"/api/v1/users/{alpha.learners[0].id}").status_code == 404
    assert (
        idle.get(f"/api/v1/sessions/{alpha.session_ids[alpha.learners[0].id]}").status_code == 404
    )
    coach = with_key(client, alpha.coach)
    seen = {u["id"] for u in coach.get("/api/v1/users").json()["items"]}
    assert seen == {str(alpha.coach.id), *(str(learner.id) for learner in alpha.learners)}


def test_learner_sees_own_sessions_without_coach_notes(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    first, second = alpha.learners
    learner = with_key(client, first)
    sessions = learner.get("/api/v1/sessions").json()["items"]
    assert [s["id"] for s in sessions] == [str(alpha.session_ids[first.id])]
    assert "notes" not in sessions[0]
    assert learner.get(f"/api/v1/sessions/{alpha.session_ids[second.id]}").status_code == 404
    assert with_key(client, alpha.admin).get("/api/v1/sessions").json()["items"] == []


def test_conversations_are_private_until_shared(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = with_key(client, alpha.learners[0])
    conversation = learner.post("/api/v1/conversations", json={"title": "Week 1"}).json()
    path = f"/api/v1/conversations/{conversation['id']}"
    message = learner.post(f"{path}/messages", json={"content": "I felt unheard today."})
    assert message.status_code == 201
    assert message.json()["message"]["status"] == "replied"

    coach = with_key(client, alpha.coach)
    admin = with_key(client, alpha.admin)
    other_learner = with_key(client, alpha.learners[1])
    assert coach.get(path).status_code == 404
    assert other_learner.get(f"{path}/messages").status_code == 404
    assert admin.get(f"{path}/messages").status_code == 403
    assert other_learner.post(f"{path}/messages", json={"content": "hi"}).status_code == 404

    learner.patch(path, json={"shared_with_coach": True})
    assert coach.get(f"{path}/messages").json()["items"][0]["content"] == "I felt unheard today."
    assert coach.post(f"{path}/messages", json={"content": "hi"}).status_code == 403
    assert with_key(client, alpha.idle_coach).get(path).status_code == 404
