"""HR figures through the HTTP API: counts only, hidden for groups under the minimum size,
one organisation's, and for admins only."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from litestar.testing import TestClient

from tests.support import As, OrgWorld, with_key

FIGURES = "/api/v1/insights"


def _enroll_learners(admin: As, world: OrgWorld, count: int, program_id: str) -> list[str]:
    ids = []
    for n in range(count):
        user = admin.post(
            "/api/v1/users",
            json={
                "email": f"extra-{uuid4().hex[:12]}@x.example",
                "display_name": f"Extra {n}",
                "role": "learner",
            },
        )
        assert user.status_code == 201, user.text
        enrollment = admin.post(
            "/api/v1/enrollments",
            json={
                "learner_id": user.json()["id"],
                "coach_id": str(world.coach.id),
                "program_id": program_id,
            },
        )
        assert enrollment.status_code == 201, enrollment.text
        ids.append(user.json()["id"])
    return ids


def test_figures_are_hidden_for_a_group_under_the_minimum_size(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    response = with_key(client, alpha.admin).get(FIGURES)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["min_group_size"] == 5  # the policy's default
    [program] = body["programs"]  # two learners only
    for figures in (program["figures"], body["organization"]):
        assert figures["suppressed"] is True
        assert figures["learners"] is None
        assert figures["sessions_held"] is None
    assert body["weeks"] == []  # the organisation is under the minimum: no weekly figure


def test_a_large_enough_group_shows_counts_and_never_content(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, beta = worlds
    admin = with_key(client, alpha.admin)
    _enroll_learners(admin, alpha, 3, str(alpha.program_id))  # 2 seeded + 3 = 5 learners
    small = admin.post("/api/v1/programs", json={"name": "Small", "language": "fr"}).json()
    _enroll_learners(admin, alpha, 1, small["id"])
    learner = alpha.learners[0]
    item = alpha.draft_ids[learner.id][0]
    with_key(client, alpha.coach).post(f"/api/v1/suggestions/{item}/approve")
    with_key(client, learner).get("/api/v1/feed")  # delivers it
    with_key(client, learner).post(f"/api/v1/feed/{item}/answers", json={"text": "ANSWER-TEXT"})
    with_key(client, alpha.learners[1]).post("/api/v1/journal", json={"text": "JOURNAL-TEXT"})
    # The other organisation's activity counts nowhere here.
    with_key(client, beta.learners[0]).post("/api/v1/journal", json={"text": "BETA-JOURNAL"})

    response = admin.get(FIGURES)

    assert response.status_code == 200, response.text
    body = response.json()
    by_name = {p["name"]: p["figures"] for p in body["programs"]}
    main = by_name[f"Program {alpha.canary}"]
    assert main == {
        "learners": 5,
        "suppressed": False,
        "sessions_held": 2,
        "items_delivered": 1,
        "items_answered": 1,
        "answer_rate": 1.0,
        "active_learners": 2,  # one answered, one wrote in their journal
    }
    assert by_name["Small"]["suppressed"] is True  # one learner: hidden
    assert body["organization"]["learners"] == 6
    assert body["organization"]["active_learners"] == 2
    # Week by week: the item arrived this week (approved without a day: at once), answered.
    weeks = body["weeks"]
    assert len(weeks) == 8
    assert weeks[-1]["items_arrived"] == 1
    assert weeks[-1]["items_answered"] == 1
    assert weeks[-1]["answer_rate"] == 1.0
    assert all(w["items_arrived"] == 0 and w["answer_rate"] is None for w in weeks[:-1])
    for text in ("ANSWER-TEXT", "JOURNAL-TEXT", "BETA", beta.canary, "notes", "rationale"):
        assert text not in response.text


def test_only_an_admin_reads_the_figures(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    for person in (alpha.coach, alpha.learners[0]):
        assert with_key(client, person).get(FIGURES).status_code == 403
