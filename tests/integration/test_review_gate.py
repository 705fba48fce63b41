"""The approval gate, driven through the HTTP API as coaches and learners would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient

from tests.support import OrgWorld, with_key, with_session

Q = "/api/v1/suggestions"


def feed_ids(client: TestClient[Any], learner: Any) -> list[str]:
    response = with_key(client, learner).get("/api/v1/feed")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_nothing_reaches_the_learner_before_review(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = alpha.learners[0]
    assert feed_ids(client, learner) == []
    for draft_id in alpha.draft_ids[learner.id]:
        assert with_key(client, learner).get(f"/api/v1/feed/{draft_id}").status_code == 404


def test_approve_edit_reject_reach_the_learner_exactly(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = alpha.learners[0]
    coach = with_session(client, alpha.coach)
    approved, edited, rejected, pending = alpha.draft_ids[learner.id]

    assert coach.post(f"{Q}/{approved}/approve").json()["state"] == "approved"
    response = coach.post(f"{Q}/{edited}/edit", json={"text": "  Reworded by the coach?  "})
    assert response.json()["state"] == "edited"
    assert response.json()["text"] == "Reworded by the coach?"
    response = coach.post(f"{Q}/{rejected}/reject", json={"reason": "Off topic."})
    assert response.json()["state"] == "rejected"

    assert sorted(feed_ids(client, learner)) == sorted([str(approved), str(edited)])
    item = with_key(client, learner).get(f"/api/v1/feed/{edited}").json()
    assert item["text"] == "Reworded by the coach?"
    assert "rationale" not in item  # the coach's rationale stays with the coach
    for hidden in (rejected, pending):
        assert with_key(client, learner).get(f"/api/v1/feed/{hidden}").status_code == 404
    # The other learner of the same coach sees none of it.
    assert feed_ids(client, alpha.learners[1]) == []
    # Reading the feed delivered the items.
    delivered = coach.get(f"{Q}?state=delivered").json()["items"]
    assert sorted(s["id"] for s in delivered) == sorted([str(approved), str(edited)])


def test_every_decision_is_recorded_with_text_before_and_after(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    draft = alpha.draft_ids[alpha.learners[0].id][0]
    coach = with_key(client, alpha.coach)
    before = coach.get(f"{Q}/{draft}").json()["text"]
    coach.post(f"{Q}/{draft}/edit", json={"text": "New text?"})
    events = with_key(client, alpha.admin).get("/api/v1/audit-events?action=suggestion.edit")
    [event] = events.json()["items"]
    assert event["target_id"] == str(draft)
    assert event["actor_id"] == str(alpha.coach.id)
    assert before not in events.text  # the audit trail carries ids and states, not text


def test_a_future_delivery_stays_hidden_until_due(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = alpha.learners[0]
    draft = alpha.draft_ids[learner.id][0]
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    response = with_key(client, alpha.coach).post(
        f"{Q}/{draft}/approve", json={"deliver_at": later}
    )
    assert response.status_code == 200
    assert feed_ids(client, learner) == []


def test_naive_delivery_time_is_refused(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    draft = alpha.draft_ids[alpha.learners[0].id][0]
    response = with_key(client, alpha.coach).post(
        f"{Q}/{draft}/approve", json={"deliver_at": "2030-01-01T09:00:00"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "deliver_at"


def test_a_reviewed_item_cannot_be_reviewed_again(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    draft = alpha.draft_ids[alpha.learners[0].id][0]
    coach = with_key(client, alpha.coach)
    assert coach.post(f"{Q}/{draft}/reject", json={"reason": "No."}).status_code == 200
    response = coach.post(f"{Q}/{draft}/approve")
    assert response.status_code == 409
    assert "already reviewed" in response.json()["error"]["message"]


def test_batch_is_all_or_nothing(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, beta = worlds
    coach = with_key(client, alpha.coach)
    mine = alpha.draft_ids[alpha.learners[0].id][:2]
    foreign = beta.draft_ids[beta.learners[0].id][0]
    response = coach.post(
        f"{Q}/batch", json={"ids": [*map(str, mine), str(foreign)], "decision": "approve"}
    )
    assert response.status_code == 404
    assert all(coach.get(f"{Q}/{i}").json()["state"] == "pending_review" for i in mine)

    response = coach.post(f"{Q}/batch", json={"ids": [str(i) for i in mine], "decision": "approve"})
    assert response.status_code == 200
    assert [s["state"] for s in response.json()["items"]] == ["approved", "approved"]
    assert sorted(feed_ids(client, alpha.learners[0])) == sorted(map(str, mine))


def test_batch_reject_needs_a_reason(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    ids = [str(i) for i in alpha.draft_ids[alpha.learners[0].id][:2]]
    response = with_key(client, alpha.coach).post(
        f"{Q}/batch", json={"ids": ids, "decision": "reject"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "reason"


def test_only_the_learners_own_coach_reviews(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    draft = alpha.draft_ids[alpha.learners[0].id][0]
    idle = with_key(client, alpha.idle_coach)
    assert idle.get(Q).json()["items"] == []
    assert idle.post(f"{Q}/{draft}/approve").status_code == 404
    learner = with_key(client, alpha.learners[0])
    assert learner.get(Q).status_code == 403
    assert learner.post(f"{Q}/{draft}/approve").status_code == 403
    admin = with_key(client, alpha.admin)
    assert admin.get(Q).status_code == 403
    assert admin.get(f"{Q}/{draft}").status_code == 403


def test_learner_answers_a_delivered_item(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    learner = alpha.learners[0]
    draft, pending = alpha.draft_ids[learner.id][:2]
    coach = with_key(client, alpha.coach)
    coach.post(f"{Q}/{draft}/approve")
    me = with_session(client, learner)
    assert me.post(f"/api/v1/feed/{pending}/answers", json={"text": "Too early"}).status_code == 404
    response = me.post(f"/api/v1/feed/{draft}/answers", json={"text": "I asked Sam for feedback."})
    assert response.status_code == 201
    assert [a["text"] for a in coach.get(f"{Q}/{draft}/answers").json()] == [
        "I asked Sam for feedback."
    ]
    assert with_key(client, alpha.admin).get(f"{Q}/{draft}/answers").status_code == 403


def test_an_approved_question_goes_to_the_bank(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    drafts = alpha.draft_ids[alpha.learners[0].id]
    company_question = drafts[1]  # support.draft_items cycles through the kinds
    coach = with_key(client, alpha.coach)
    assert coach.post(f"{Q}/{company_question}/save-to-bank").status_code == 409
    coach.post(f"{Q}/{company_question}/approve")
    response = coach.post(f"{Q}/{company_question}/save-to-bank")
    assert response.status_code == 201
    assert response.json()["scale"] == "company"
    bank = coach.get("/api/v1/question-bank?scale=company").json()["items"]
    assert [q["source_suggestion_id"] for q in bank] == [str(company_question)]


def test_queue_pages_in_a_stable_order(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    coach = with_key(client, alpha.coach)
    seen: list[str] = []
    cursor = ""
    while True:
        page = coach.get(f"{Q}?limit=3&cursor={cursor}").json()
        seen += [s["id"] for s in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    every = [str(i) for ids in alpha.draft_ids.values() for i in ids]
    assert sorted(seen) == sorted(every)
    assert seen == sorted(seen)  # UUIDv7 ids: oldest first, no duplicates
    assert len(set(seen)) == len(seen)
