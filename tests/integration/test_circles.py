"""Peer circles through HTTP, on both databases: a coach forms a circle of four learners,
runs a co-development session through its six steps, reviews the agent's drafts (members
never see one before it is approved), and the presenter's action plan becomes their item.
Isolation, the guard, export and erasure too.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from app.db.models import CircleContribution, CircleDraft
from app.settings import Settings
from tests.support import As, OrgWorld, add_learners, run_db, with_key, with_session

C, S, D = "/api/v1/circles", "/api/v1/circle-sessions", "/api/v1/circle-drafts"
URGENT = "Je pense à mettre fin à mes jours, je n'en peux plus de cette équipe."
POLICY = {"escalation_resources": [{"label": "Ligne d'écoute", "contact": "3114"}]}


def _circle(client: TestClient[Any], world: OrgWorld, settings: Settings) -> dict[str, Any]:
    if len(world.learners) < 4:
        add_learners(settings, world, 4 - len(world.learners))
    coach = with_key(client, world.coach)
    made = coach.post(
        C,
        json={"name": f"Cercle {world.canary}", "member_ids": [str(p.id) for p in world.learners]},
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def _write(member: As, session_id: str, text: str) -> dict[str, Any]:
    written = member.post(f"{S}/{session_id}/contributions", json={"text": text})
    assert written.status_code == 201, written.text
    return dict(written.json())


def _advance(coach: As, session_id: str) -> dict[str, Any]:
    moved = coach.post(f"{S}/{session_id}/advance")
    assert moved.status_code == 201, moved.text
    return dict(moved.json())


def test_a_session_walks_the_six_steps_behind_the_facilitator_s_gate(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, _ = worlds
    circle = _circle(client, alpha, settings)
    coach = with_key(client, alpha.coach)
    p1, p2, p3, p4 = (with_session(client, p) for p in alpha.learners[:4])
    assert [m["presented"] for m in circle["members"]] == [0, 0, 0, 0]
    assert [c["id"] for c in p3.get(C).json()] == [circle["id"]]

    # Roles rotate: nobody presented yet, so the first member presents.
    started = coach.post(f"{C}/{circle['id']}/sessions", json={})
    assert started.status_code == 201, started.text
    session = started.json()
    sid = session["id"]
    assert session["presenter_id"] == str(alpha.learners[0].id)
    assert session["step"] == "situation"
    assert 0 < session["seconds_left"] <= 600
    assert coach.post(f"{C}/{circle['id']}/sessions", json={}).status_code == 409
    assert p2.post(f"{S}/{sid}/advance").status_code == 403  # the facilitator advances

    refused = p2.post(f"{S}/{sid}/contributions", json={"text": "Pas mon tour"})
    assert refused.status_code == 409  # the presenter writes the situation
    assert coach.post(f"{S}/{sid}/advance").status_code == 409  # nothing written yet
    _write(
        p1,
        sid,
        "Je n'ose pas faire de retours à un collègue qui coupe la parole en réunion, "
        "mais l'équipe en souffre.",
    )
    at_questions = _advance(coach, sid)
    assert at_questions["step"] == "questions"

    # The agent's clarifying questions wait for the facilitator; members see nothing.
    [pending] = at_questions["drafts"]
    assert (pending["kind"], pending["state"]) == ("questions", "pending_review")
    assert "?" in pending["text"]
    for member in (p1, p2, p3, p4):
        assert member.get(f"{S}/{sid}").json()["drafts"] == []
    assert pending["text"] not in p2.get(f"{S}/{sid}").text
    # Members cannot even tell the draft exists.
    assert p2.post(f"{D}/{pending['id']}/review", json={"decision": "approve"}).status_code == 404
    approved = coach.post(f"{D}/{pending['id']}/review", json={"decision": "approve"})
    assert approved.status_code == 201, approved.text
    assert [d["state"] for d in p2.get(f"{S}/{sid}").json()["drafts"]] == ["approved"]
    again = coach.post(f"{D}/{pending['id']}/review", json={"decision": "reject"})
    assert again.status_code == 409

    assert p1.post(f"{S}/{sid}/contributions", json={"text": "?"}).status_code == 409
    _write(p2, sid, "Depuis quand cela dure-t-il ?")
    _write(p3, sid, "Qu'en dit votre manager ?")
    _advance(coach, sid)
    _write(p1, sid, "Comment lui dire sans le braquer ?")
    _advance(coach, sid)
    _write(p3, sid, "Lui parler seul à seul, avec un fait précis.")
    _write(p4, sid, "Proposer un tour de parole en réunion.")
    _advance(coach, sid)
    plan = "Jeudi, je lui parle seul à seul avec un exemple précis de la réunion de lundi."
    _write(p1, sid, plan)
    at_lessons = _advance(coach, sid)
    assert at_lessons["step"] == "lessons"
    item_id = p1.get(f"{S}/{sid}").json()["item_id"]  # the presenter's alone
    assert item_id

    # The action plan is among the presenter's own items, and theirs only.
    feed = p1.get("/api/v1/feed").json()["items"]
    assert [i["text"] for i in feed if i["id"] == item_id] == [plan]
    assert plan not in str(p2.get("/api/v1/feed").json())

    _write(p1, sid, "Préparer un fait précis m'aide.")
    _write(p2, sid, "J'oublie souvent de demander ce qui a déjà été essayé.")
    closed = _advance(coach, sid)
    assert closed["step"] == "closed"
    assert closed["closed_at"]
    synthesis = next(d for d in closed["drafts"] if d["kind"] == "synthesis")
    assert synthesis["state"] == "pending_review"
    assert "Learner3 : Lui parler seul à seul" in synthesis["text"]  # attributed
    assert plan in synthesis["text"]
    assert [d["kind"] for d in p4.get(f"{S}/{sid}").json()["drafts"]] == ["questions"]
    edited = coach.post(
        f"{D}/{synthesis['id']}/review",
        json={"decision": "edit", "text": synthesis["text"] + "\nMerci à tous."},
    )
    assert edited.status_code == 201, edited.text
    seen = {d["kind"]: d for d in p4.get(f"{S}/{sid}").json()["drafts"]}
    assert seen["synthesis"]["state"] == "edited"
    assert seen["synthesis"]["text"].endswith("Merci à tous.")
    assert p1.post(f"{S}/{sid}/contributions", json={"text": "encore"}).status_code == 409

    # The next session's default presenter is one who has not presented yet.
    after = coach.get(f"{C}/{circle['id']}").json()
    assert [m["presented"] for m in after["members"]] == [1, 0, 0, 0]
    nxt = coach.post(f"{C}/{circle['id']}/sessions", json={}).json()
    assert nxt["presenter_id"] == str(alpha.learners[1].id)


def test_only_the_presenter_learns_which_item_their_plan_became(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    """The item is the presenter's own: the other members and the facilitator read the plan
    in the session, never the id of the item it became (they could not open it anyway)."""
    alpha, _ = worlds
    circle = _circle(client, alpha, settings)
    coach = with_key(client, alpha.coach)
    presenter, *others = (with_key(client, p) for p in alpha.learners[:4])
    sid = coach.post(f"{C}/{circle['id']}/sessions", json={}).json()["id"]
    _write(presenter, sid, "Mon équipe ne m'écoute pas en réunion.")
    for _ in range(4):  # to questions, request, suggestions, plan: nothing else required
        _advance(coach, sid)
    _write(presenter, sid, "Lundi, je demande la parole avant la fin.")
    assert _advance(coach, sid)["item_id"] is None  # the facilitator's own answer too

    item_id = presenter.get(f"{S}/{sid}").json()["item_id"]
    assert item_id
    assert item_id in [i["id"] for i in presenter.get("/api/v1/feed").json()["items"]]
    for who in (*others, coach):
        seen = who.get(f"{S}/{sid}")
        assert seen.status_code == 200, seen.text
        assert seen.json()["item_id"] is None, who.label
        assert item_id not in seen.text, who.label


def test_forming_a_circle_names_what_to_fix(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, beta = worlds
    add_learners(settings, alpha, 3)
    coach = with_key(client, alpha.coach)
    ids = [str(p.id) for p in alpha.learners]

    def refused(body: dict[str, Any], who: As = coach, status: int = 400) -> str:
        response = who.post(C, json={"name": "Cercle", **body})
        assert response.status_code == status, response.text
        return str(response.json()["error"].get("field"))

    assert refused({"member_ids": ids[:3]}) == "member_ids"  # fewer than four
    assert refused({"member_ids": [*ids[:3], str(alpha.coach.id)]}) == "member_ids"
    assert refused({"member_ids": [*ids[:3], str(beta.learners[0].id)]}) == "member_ids"
    assert refused({"member_ids": ids[:4], "facilitator_id": str(ids[0])}) == "facilitator_id"
    refused({"member_ids": ids[:4]}, with_key(client, alpha.learners[0]), 403)
    # An admin forms a circle for a coach to facilitate, and then sees nothing of it.
    admin = with_key(client, alpha.admin)
    made = admin.post(
        C, json={"name": "Cercle", "member_ids": ids[:4], "facilitator_id": str(alpha.coach.id)}
    )
    assert made.status_code == 201, made.text
    assert admin.get(f"{C}/{made.json()['id']}").status_code == 404
    assert coach.get(f"{C}/{made.json()['id']}").status_code == 200


def test_other_people_see_nothing_of_a_circle(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, beta = worlds
    circle = _circle(client, alpha, settings)
    coach = with_key(client, alpha.coach)
    sid = coach.post(f"{C}/{circle['id']}/sessions", json={}).json()["id"]
    _write(with_key(client, alpha.learners[0]), sid, f"Situation {alpha.canary}")
    draft_id = _advance(coach, sid)["drafts"][0]["id"]
    outsider = add_learners(settings, alpha, 1)[0]  # same organisation, not a member
    strangers = [with_key(client, p) for p in beta.people]
    strangers += [with_key(client, p) for p in (outsider, alpha.idle_coach, alpha.admin)]
    for who in strangers:
        assert who.get(C).json() == []
        for method, url in (
            ("GET", f"{C}/{circle['id']}"),
            ("POST", f"{C}/{circle['id']}/sessions"),
            ("GET", f"{S}/{sid}"),
            ("POST", f"{S}/{sid}/contributions"),
            ("POST", f"{S}/{sid}/advance"),
            ("POST", f"{D}/{draft_id}/review"),
        ):
            body = (
                {"text": "x"}
                if "contributions" in url
                else {"decision": "approve"}
                if "review" in url
                else {}
            )
            response = who.request(method, url, json=body if method == "POST" else None)
            assert response.status_code in (403, 404), (who.label, method, url, response.text)
            assert alpha.canary not in response.text
        assert who.get(f"/circles/{circle['id']}").status_code in (403, 404)


def test_the_guard_reads_circle_texts_and_alerts_the_writer_s_coach(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, _ = worlds
    admin = with_key(client, alpha.admin)
    assert admin.patch("/api/v1/organization", json={"policy": POLICY}).status_code == 200
    circle = _circle(client, alpha, settings)
    coach = with_key(client, alpha.coach)
    sid = coach.post(f"{C}/{circle['id']}/sessions", json={}).json()["id"]
    _write(with_key(client, alpha.learners[0]), sid, "Mon équipe ne m'écoute pas en réunion.")
    _advance(coach, sid)
    written = _write(with_key(client, alpha.learners[1]), sid, URGENT)
    assert written["contribution"]["safety_tier"] == "urgent"
    assert ["Ligne d'écoute", "3114"] in written["resources"]
    alerts = coach.get("/api/v1/escalations").json()["items"]
    assert [(a["tier"], a["stage"], a["learner_id"]) for a in alerts] == [
        ("urgent", "circle", str(alpha.learners[1].id))
    ]
    assert "mettre fin" not in str(alerts)
    # Held back from the other members; the writer and the facilitator see it.
    assert "mettre fin" not in with_key(client, alpha.learners[2]).get(f"{S}/{sid}").text
    assert "mettre fin" in with_key(client, alpha.learners[1]).get(f"{S}/{sid}").text
    assert "mettre fin" in coach.get(f"{S}/{sid}").text


def test_export_and_erasure_carry_circle_contributions(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, _ = worlds
    circle = _circle(client, alpha, settings)
    coach = with_key(client, alpha.coach)
    sid = coach.post(f"{C}/{circle['id']}/sessions", json={}).json()["id"]
    _write(with_key(client, alpha.learners[0]), sid, "SITUATION-KEPT de la présentatrice.")
    _advance(coach, sid)
    me = alpha.learners[1]
    learner = with_session(client, me)
    _write(learner, sid, "QUESTION-ERASE : depuis quand ?")
    _write(with_key(client, alpha.learners[2]), sid, "Qui est concerné ?")

    [exported] = learner.get("/api/v1/me/export").json()["circles"]
    assert exported["circle"] == circle["name"]
    assert [c["text"] for c in exported["contributions"]] == ["QUESTION-ERASE : depuis quand ?"]

    erased = learner.post("/api/v1/me/erase", json={"confirm": me.email})
    assert erased.status_code == 200, erased.text
    counts = erased.json()["deleted"]
    assert counts["circle_contributions"] == 1
    assert counts["circle_memberships"] == 1
    assert counts["circle_drafts"] == 1  # the questions draft of the session they wrote in

    async def left(db: Any) -> tuple[list[str], int]:
        texts = list(await db.scalars(select(CircleContribution.text)))
        drafts = len(list(await db.scalars(select(CircleDraft.id))))
        return texts, drafts

    texts, drafts = run_db(settings, left)
    assert not any("QUESTION-ERASE" in t for t in texts)
    assert "Qui est concerné ?" in texts  # the others' words stay
    assert drafts == 0
    assert len(coach.get(f"{C}/{circle['id']}").json()["members"]) == 3


def test_the_page_lists_past_sessions_and_keeps_only_the_latest_live(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    """The circle's page: the latest session is live (circle.js follows it), the history lists
    every session with its presenter, and `?session=` opens a past one read-only."""
    alpha, _ = worlds
    circle = _circle(client, alpha, settings)
    coach = with_session(client, alpha.coach)
    first = coach.post(f"{C}/{circle['id']}/sessions", json={}).json()
    _write(with_session(client, alpha.learners[0]), first["id"], "La situation du premier.")
    _advance(coach, first["id"])
    for _ in range(5):
        moved = coach.post(f"{S}/{first['id']}/advance")
        if moved.status_code == 409:  # the plan step needs the presenter's plan
            _write(with_session(client, alpha.learners[0]), first["id"], "Mon plan.")
            moved = coach.post(f"{S}/{first['id']}/advance")
        assert moved.status_code == 201, moved.text
    second = coach.post(f"{C}/{circle['id']}/sessions", json={}).json()
    assert second["presenter_id"] != first["presenter_id"]  # roles rotate

    member = with_session(client, alpha.learners[2])
    page = member.get(f"/circles/{circle['id']}")
    assert page.status_code == 200
    assert f'data-session-id="{second["id"]}" data-live="1"' in page.text
    assert 'id="circle-history"' in page.text
    assert page.text.count('<li id="history-') == 2
    assert "/static/circle.js" in page.text
    assert 'id="circle-wait"' in page.text  # the presenter writes the situation
    past = member.get(f"/circles/{circle['id']}", params={"session": first["id"]})
    assert past.status_code == 200
    assert f'data-session-id="{first["id"]}"' in past.text
    assert 'data-live="1"' not in past.text
    assert 'id="circle-past"' in past.text
    assert 'id="circle-wait"' not in past.text  # nothing to write in a past session
    # A session of another circle, or none, shows the latest.
    other = member.get(f"/circles/{circle['id']}", params={"session": circle["id"]})
    assert f'data-session-id="{second["id"]}" data-live="1"' in other.text
