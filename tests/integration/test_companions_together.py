"""Companions, issue #18 second increment, through HTTP on both databases: the anonymous
aggregate of answers (never fewer than three companions, never a name, address or id, in an
order that owes nothing to who answered when), and the coach who suggests whom to ask and
what, the learner taking it up or dismissing it, and the coach's view of the circle.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from litestar.testing import TestClient

from tests.integration.test_companions import _answer, _invite, _token
from tests.support import OrgWorld, with_key, with_session

C = "/api/v1/companions"
F = "/api/v1/companion-feedback"
A = "/api/v1/companion-feedback/aggregate"
S = "/api/v1/companion-suggestions"
PEOPLE = [
    ("Camille Martin", "camille@friends.example", "peer"),
    ("Dominique Petit", "dominique@friends.example", "mentor"),
    ("Sacha Leroy", "sacha@friends.example", "colleague"),
]


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert found, f"no #{section_id}"
    return found.group(0)


def _hashed(texts: list[str], goal: str) -> list[str]:
    return sorted(texts, key=lambda t: hashlib.sha256(f"{goal}\0{t}".encode()).hexdigest())


def test_an_aggregate_needs_three_companions_and_names_none_of_them(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = with_key(client, alpha.learners[0])
    coach = with_key(client, alpha.coach)
    invited, facts = [], []
    for n, (name, email, relation) in enumerate(PEOPLE[:2]):
        invited.append(_invite(learner, name=name, email=email, relation=relation))
        facts.append(f"FAIT-{n} en réunion.")
        _answer(client, _token(invited[-1]["link"]), fact=facts[-1], effect=f"EFFET-{n}")
    # Two companions: no aggregate, even when one of them answers a second question.
    assert learner.get(A).json() == []
    first = invited[0]["companion"]["id"]
    assert learner.post(f"{C}/{first}/requests", json={"question": "Et jeudi ?"}).is_success
    _answer(client, _token(invited[0]["link"]), fact="FAIT-bis", effect="EFFET-bis")
    assert learner.get(A).json() == []
    page = with_session(client, alpha.learners[0]).get("/me/companions").text
    assert 'id="aggregate"' not in page

    # The third companion: one aggregate, over the four answers.
    name, email, relation = PEOPLE[2]
    invited.append(_invite(learner, name=name, email=email, relation=relation))
    _answer(client, _token(invited[-1]["link"]), fact="FAIT-2", effect="EFFET-2", suggestion="IDÉE")
    [group] = learner.get(A).json()
    goal = f"goal {alpha.canary}"
    assert group["goal"] == goal
    assert group["companions"] == 3
    assert sorted(group["facts"]) == sorted([*facts, "FAIT-bis", "FAIT-2"])
    assert group["facts"] == _hashed(group["facts"], goal)  # not the order they answered in
    assert group["suggestions"] == ["IDÉE"]  # an empty suggestion is no suggestion
    assert set(group) == {"learner_id", "goal", "companions", "facts", "effects", "suggestions"}
    response = learner.get(A).text
    page = with_session(client, alpha.learners[0]).get("/me/companions").text
    aggregate = _section(page, "aggregate")
    assert "FAIT-2" in aggregate
    for (name, email, relation), companion in zip(PEOPLE, invited, strict=True):
        for secret in (name, email, companion["companion"]["id"]):
            assert secret not in response
            assert secret not in aggregate
        assert f"relation.{relation}" not in aggregate

    # The coach's aggregate counts shared answers only: 2 shared, none; 3, one.
    assert coach.get(A).json() == []
    answers = learner.get(F).json()
    by_companion = {a["companion_id"]: a for a in answers}  # one answer per companion
    shared = list(by_companion.values())
    for answer in shared[:2]:
        learner.patch(f"{F}/{answer['id']}", json={"shared_with_coach": True})
    assert coach.get(A, params={"learner_id": str(alpha.learners[0].id)}).json() == []
    brief_url = f"/coach/learners/{alpha.learners[0].id}/brief"
    brief = with_session(client, alpha.coach).get(brief_url).text
    section = _section(brief, "companion-aggregate")
    assert "au moins trois compagnons" in section  # says why there is nothing
    assert 'class="card companion-aggregate"' not in section
    learner.patch(f"{F}/{shared[2]['id']}", json={"shared_with_coach": True})
    [seen] = coach.get(A).json()
    assert seen["companions"] == 3
    assert len(seen["facts"]) == 3  # the unshared second answer stays out
    brief = with_session(client, alpha.coach).get(brief_url).text
    section = _section(brief, "companion-aggregate")
    assert shared[2]["fact"] in section
    for name, email, _ in PEOPLE:
        assert name not in section
        assert email not in section
    # Another learner, another coach, the admin: nothing.
    assert with_key(client, alpha.learners[1]).get(A).json() == []
    assert with_key(client, alpha.idle_coach).get(A).json() == []
    assert with_key(client, alpha.admin).get(A).status_code == 403


def test_the_coach_suggests_whom_to_ask_and_sees_what_came_of_it(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, beta = worlds
    me = alpha.learners[0]
    learner, coach = with_key(client, me), with_key(client, alpha.coach)
    body = {
        "learner_id": str(me.id),
        "who": "un pair qui vous a vu(e) à la réunion du lundi",
        "question": "Qu'avez-vous remarqué lundi quand j'ai recadré la discussion ?",
    }
    made = coach.post(S, json=body)
    assert made.status_code == 201, made.text
    suggestion = made.json()
    assert suggestion["status"] == "open"
    # An address is not a kind of person; only the coach's own learners; coaches only.
    bad = coach.post(S, json={**body, "who": "camille@friends.example"})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "who", bad.text
    assert "without an e-mail address" in bad.text
    for person in (alpha.idle_coach, beta.coach):
        assert with_key(client, person).post(S, json=body).status_code == 404
    other = {**body, "learner_id": str(beta.learners[0].id)}
    assert coach.post(S, json=other).status_code == 404
    assert learner.post(S, json=body).status_code == 403
    assert with_key(client, alpha.admin).post(S, json=body).status_code == 403

    # The learner sees it; nobody else of theirs does.
    [mine] = learner.get(S).json()
    assert mine["who"] == body["who"]
    assert with_key(client, alpha.learners[1]).get(S).json() == []
    assert with_key(client, beta.coach).get(S).json() == []
    assert with_key(client, alpha.admin).get(S).status_code == 403
    assert with_key(client, alpha.learners[1]).post(
        f"{S}/{suggestion['id']}/dismiss"
    ).status_code in (403, 404)

    # Taking it up on the page pre-fills the question; the learner picks the person.
    session = with_session(client, me)
    page = session.get("/me/companions", params={"suggestion": suggestion["id"]}).text
    assert body["who"].replace("'", "&#39;") in _section(page, "coach-suggestions")
    assert 'id="companion-taking"' in page
    assert f'name="suggestion_id" value="{suggestion["id"]}"' in page
    assert "recadré la discussion" in re.search(
        r'<textarea id="companion-question".*?</textarea>', page, re.S
    ).group(0)  # type: ignore[union-attr]
    csrf, headers = session.headers["X-CSRF-Token"], {"Cookie": session.headers["Cookie"]}
    form = {
        "csrf_token": csrf,
        "name": "Lou Bernard",
        "email": "lou@friends.example",
        "relation": "peer",
        "question": body["question"],
        "suggestion_id": suggestion["id"],
    }
    sent = client.post("/me/companions", data=form, headers=headers)
    assert sent.status_code == 200, sent.text
    [taken] = learner.get(S).json()
    assert taken["status"] == "taken"
    assert taken["companion_id"] == learner.get(C).json()[0]["id"]
    # The coach sees it taken up, not whom the learner asked.
    [seen] = coach.get(S, params={"learner_id": str(me.id)}).json()
    assert seen["status"] == "taken"
    assert seen["companion_id"] is None
    assert "Lou" not in coach.get(S).text
    # Taking it up twice, or dismissing it now, is refused.
    twice = {k: v for k, v in form.items() if k != "csrf_token"}
    assert learner.post(C, json=twice).status_code == 409
    assert learner.post(f"{S}/{suggestion['id']}/dismiss").status_code == 409

    # A second suggestion, dismissed through the page's form.
    second = coach.post(S, json={**body, "who": "votre manager"}).json()
    dismissed = client.post(
        f"/me/companions/suggestions/{second['id']}/dismiss",
        data={"csrf_token": csrf},
        headers=headers,
        follow_redirects=False,
    )
    assert dismissed.status_code == 303
    statuses = {s["who"]: s["status"] for s in coach.get(S).json()}
    assert statuses == {body["who"]: "taken", "votre manager": "dismissed"}
    assert learner.post(f"{S}/{second['id']}/dismiss").json()["status"] == "dismissed"
    assert "votre manager" not in _section(session.get("/me/companions").text, "companions-list")

    # The coach's view of the circle: relation, status, the open question; no name, no address.
    circle = coach.get(f"{C}/circle", params={"learner_id": str(me.id)})
    assert circle.status_code == 200, circle.text
    [member] = circle.json()
    assert member == {
        "name": "",
        "relation": "peer",
        "status": "active",
        "requests": 1,
        "answered": 0,
        "open_questions": [body["question"]],
    }
    assert "lou@friends.example" not in circle.text
    for person in (alpha.idle_coach, beta.coach):
        response = with_key(client, person).get(f"{C}/circle", params={"learner_id": str(me.id)})
        assert response.status_code == 404
    assert learner.get(f"{C}/circle", params={"learner_id": str(me.id)}).status_code == 403
    brief = with_session(client, alpha.coach).get(f"/coach/learners/{me.id}/brief").text
    assert "recadré la discussion" in _section(brief, "companion-circle")
    assert "Lou" not in brief
    suggestions = _section(brief, "companion-suggestions")
    assert "invitation envoyée" in suggestions
    assert "écartée" in suggestions
    # The coach's list of learners counts the live companions and shared answers.
    home = with_session(client, alpha.coach).get("/coach").text
    row = home.split(f'data-learner-id="{me.id}"', 1)[1].split("</tr>", 1)[0]
    assert "1 · 0 retour(s) partagé(s)" in row
    assert "Lou" not in home
    # The learner lets the coach see the name: the circle shows it.
    companion_id = learner.get(C).json()[0]["id"]
    learner.patch(f"{C}/{companion_id}", json={"name_visible_to_coach": True})
    assert coach.get(f"{C}/circle", params={"learner_id": str(me.id)}).json()[0]["name"] == (
        "Lou Bernard"
    )
