"""A repeatable attack suite: every operation of the API, called by every role of another
organisation (and by nobody) with the victim organisation's real ids, must be refused, and no
answer may carry the victim's canary text. Inside the victim's organisation, the people who are
not the victim learner's (another learner, a coach without them, the admin) reach only what
their role is for, listed in `IN_ORG_ALLOWED`.

The victim (beta) is given one resource of each kind first: a conversation with a message, a
journal entry, a document and its passage, a run, an escalation, keys, a companion and their
shared answer, a peer circle with a session and the agent's pending draft. The operations
come from the OpenAPI schema, so a new endpoint is attacked the day it is added. The count of
attacks is printed and recorded in the README.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from app.settings import Settings
from tests.support import As, OrgWorld, add_learners, with_key

ALLOWED = {400, 401, 403, 404, 405, 409, 412, 413, 415, 422}


# What a same-organisation person may do with the victim learner's ids: their own program is
# every member's to read; the admin manages people, enrollments (whose goal they set),
# programs, documents and the organisation's webhooks; the question bank is the
# organisation's, curated by every coach (audited). Nothing else: no conversation, message,
# journal, answer, draft, session, plan, run or escalation of the victim, and no key but one's
# own.
IN_ORG_ALLOWED = {
    ("coach", "DELETE", "/api/v1/question-bank/{question_id}"),
    ("learner", "GET", "/api/v1/programs/{program_id}"),
    ("coach", "GET", "/api/v1/programs/{program_id}"),
    ("admin", "GET", "/api/v1/programs/{program_id}"),
    ("admin", "GET", "/api/v1/users/{user_id}"),
    ("admin", "PATCH", "/api/v1/users/{user_id}"),
    ("admin", "GET", "/api/v1/enrollments/{enrollment_id}"),
    ("admin", "PATCH", "/api/v1/enrollments/{enrollment_id}"),
    ("admin", "GET", "/api/v1/knowledge/documents/{document_id}"),
    ("admin", "GET", "/api/v1/webhooks/{webhook_id}/deliveries"),
    ("admin", "POST", "/api/v1/webhooks/{webhook_id}/enable"),
    ("admin", "DELETE", "/api/v1/webhooks/{webhook_id}"),
    ("admin", "GET", "/api/v1/integrations/{integration_id}"),
}


def _victim_companion(client: TestClient[Any], learner: As, canary: str) -> tuple[str, str]:
    """Three companions of the victim learner, each with an answer shared with the coach (so
    the coach has an anonymous aggregate to leak); the first one's ids."""
    ids: list[tuple[str, str]] = []
    for n in range(3):
        invited = learner.post(
            "/api/v1/companions",
            json={
                "name": f"{canary} companion {n}",
                "email": f"companion{n}@friends.example",
                "relation": "peer",
                "question": f"{canary} ?",
            },
        ).json()
        token = invited["link"].rsplit("/c/", 1)[1]
        page = client.get(f"/c/{token}").text
        found = re.search(r'name="request_id" value="([^"]+)"', page)
        assert found, page
        client.post(
            f"/c/{token}",
            data={"request_id": found.group(1), "fact": f"{canary} fact {n}", "effect": "effect"},
        )
        feedback = learner.get("/api/v1/companion-feedback").json()[0]
        learner.patch(
            f"/api/v1/companion-feedback/{feedback['id']}", json={"shared_with_coach": True}
        )
        ids.append((invited["companion"]["id"], feedback["id"]))
    return ids[0]


def _victim_companion_suggestion(coach: As, learner_id: str, canary: str) -> str:
    """The victim coach's suggestion of whom their learner might ask."""
    made = coach.post(
        "/api/v1/companion-suggestions",
        json={"learner_id": learner_id, "who": f"{canary} peer", "question": f"{canary} ?"},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _victim_circle(client: TestClient[Any], beta: OrgWorld, settings: Settings) -> dict[str, str]:
    """A peer circle of the victim learner and three others (not `learners[1]`, the in-org
    attacker), a session whose situation is written, and the agent's pending draft."""
    others = add_learners(settings, beta, 3)
    coach = with_key(client, beta.coach)
    members = [str(p.id) for p in (beta.learners[0], *others)]
    circle = coach.post(
        "/api/v1/circles", json={"name": f"{beta.canary} circle", "member_ids": members}
    ).json()
    session = coach.post(f"/api/v1/circles/{circle['id']}/sessions", json={}).json()
    with_key(client, beta.learners[0]).post(
        f"/api/v1/circle-sessions/{session['id']}/contributions",
        json={"text": f"{beta.canary} situation"},
    )
    advanced = coach.post(f"/api/v1/circle-sessions/{session['id']}/advance").json()
    return {
        "circle_id": circle["id"],
        "circle_session_id": session["id"],
        "circle_draft_id": advanced["drafts"][0]["id"],
    }


def _victim_ids(client: TestClient[Any], beta: OrgWorld, settings: Settings) -> dict[str, str]:
    """One real id of each kind in the victim organisation, made through its own API."""
    learner = beta.learners[0]
    as_learner, as_coach = with_key(client, learner), with_key(client, beta.coach)
    as_admin = with_key(client, beta.admin)
    conversation = as_learner.post("/api/v1/conversations", json={"shared_with_coach": True})
    turn = as_learner.post(
        f"/api/v1/conversations/{conversation.json()['id']}/messages",
        json={"content": f"{beta.canary} : comment préparer ma réunion de lundi ?"},
    ).json()
    entry = as_learner.post(
        "/api/v1/journal", json={"text": f"{beta.canary} journal", "shared_with_coach": True}
    ).json()
    document = as_admin.request(
        "POST",
        "/api/v1/knowledge/documents",
        files={"file": ("v.md", f"---\nkind: value\n---\n# V\n\n## W\n\n{beta.canary}".encode())},
    ).json()
    key = as_learner.post("/api/v1/api-keys", json={"name": "victim's key"}).json()["key"]
    session_id = str(beta.session_ids[learner.id])
    run_id = as_coach.get(f"/api/v1/sessions/{session_id}/plan").json().get("id", session_id)
    question = as_coach.post(
        "/api/v1/question-bank",
        json={"skill": "feedback", "scale": "team", "text": f"{beta.canary} ?", "language": "fr"},
    ).json()
    enrollments = as_admin.get("/api/v1/enrollments").json()["items"]
    # A public address (no DNS lookup), for an event these calls never raise.
    webhook = as_admin.post(
        "/api/v1/webhooks",
        json={"url": "https://93.184.216.34/interlude-hook", "events": ["alert.raised"]},
    ).json()["webhook"]
    integration = as_admin.post(
        "/api/v1/integrations",
        json={"name": f"{beta.canary} intranet", "allowed_origins": ["https://beta.example"]},
    ).json()["integration"]
    companion_id, feedback_id = _victim_companion(client, as_learner, beta.canary)
    companion_suggestion_id = _victim_companion_suggestion(as_coach, str(learner.id), beta.canary)
    return {
        **_victim_circle(client, beta, settings),
        "integration_id": integration["id"],
        "companion_suggestion_id": companion_suggestion_id,
        "companion_id": companion_id,
        "feedback_id": feedback_id,
        "conversation_id": conversation.json()["id"],
        "message_id": turn.get("message", {}).get("id", conversation.json()["id"]),
        "entry_id": entry["id"],
        "document_id": document["id"],
        "chunk_id": f"{document['id']}:1:0",
        "key_id": key["id"],
        "session_id": session_id,
        "run_id": str(run_id),
        "question_id": question.get("id", session_id),
        "enrollment_id": enrollments[0]["id"],
        "program_id": str(beta.program_id),
        "learner_id": str(learner.id),
        "user_id": str(learner.id),
        "suggestion_id": str(beta.draft_ids[learner.id][0]),
        "item_id": str(beta.draft_ids[learner.id][0]),
        "escalation_id": session_id,  # none exists yet: any id of the victim's must 404 too
        "webhook_id": webhook["id"],
        "delivery_id": webhook["id"],  # none exists either
    }


def _integration_token(client: TestClient[Any], alpha: OrgWorld, beta: OrgWorld) -> As:
    """An integration of the attacker's organisation, with every scope: its secret buys no token
    for the victim's learners, and the token it buys for its own learner attacks too."""
    created = (
        with_key(client, alpha.admin)
        .post(
            "/api/v1/integrations",
            json={"name": "attacker", "scopes": ["chat:learner", "review:read"]},
        )
        .json()
    )
    secret = {"Authorization": f"Bearer {created['secret']}"}
    for body in ({"learner_id": str(beta.learners[0].id)}, {"email": beta.learners[0].email}):
        refused = client.post("/api/v1/integrations/token", json=body, headers=secret)
        assert refused.status_code == 404, refused.text
    token = client.post(
        "/api/v1/integrations/token", json={"learner_id": str(alpha.learners[0].id)}, headers=secret
    ).json()["token"]
    return As(client, {"Authorization": f"Bearer {token}"}, "alpha's integration token")


def _operations(client: TestClient[Any]) -> list[tuple[str, str]]:
    schema = client.get("/schema/openapi.json").json()
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"} and "{" in path
    ]


def test_no_role_of_another_organisation_reaches_the_victim_s_resources(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, beta = worlds
    ids = _victim_ids(client, beta, settings)
    attackers = [with_key(client, p) for p in alpha.people]
    attackers.append(As(client, {}, "anonymous"))
    attackers.append(_integration_token(client, alpha, beta))
    operations = _operations(client)
    assert len(operations) > 30  # the schema really was read
    tried, breaches = 0, []
    for method, path in operations:
        names = re.findall(r"\{(\w+)(?::\w+)?\}", path)
        if any(name not in ids for name in names):
            breaches.append(f"{method} {path}: no victim id for {names}")
            continue
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids[m.group(1)], path)
        for attacker in attackers:
            body = {} if method in {"POST", "PUT", "PATCH"} else None
            response = attacker.request(method, url, json=body)
            tried += 1
            if response.status_code not in ALLOWED or beta.canary in response.text:
                breaches.append(f"{attacker.label} {method} {url}: {response.status_code}")
    summary = f"{tried} attacks, {len(operations)} operations, {len(breaches)} breaches"
    print(f"\nattack suite: {summary}")
    assert breaches == []


def test_inside_the_organisation_each_role_reaches_only_what_it_is_for(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    _, beta = worlds
    ids = _victim_ids(client, beta, settings)
    attackers = {
        "learner": beta.learners[1],  # another learner
        "coach": beta.idle_coach,  # a coach who does not coach the victim
        "admin": beta.admin,  # never reads a learner's words, never acts as them
    }
    # Deletions last (they would remove what the other calls aim at), and not the admin's:
    # deleting documents, keys and people is their job (tests/integration/test_auth.py...).
    operations = sorted(_operations(client), key=lambda op: op[0] == "DELETE")
    tried, breaches = 0, []
    for method, path in operations:
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids[m.group(1)], path)
        for role, person in attackers.items():
            if (role, method, path) in IN_ORG_ALLOWED or (role == "admin" and method == "DELETE"):
                continue
            body = {} if method in {"POST", "PUT", "PATCH"} else None
            response = with_key(client, person).request(method, url, json=body)
            tried += 1
            if response.status_code not in ALLOWED or beta.canary in response.text:
                breaches.append(f"{role} {method} {path}: {response.status_code}")
    print(f"\nattack suite, inside the organisation: {tried} attacks, {len(breaches)} breaches")
    assert breaches == []


# Companion routes that take a learner's id in the query or the body (the suite above only
# reaches ids in paths): what each returns to someone who is not the victim's coach.
LEARNER_ID_ROUTES = (
    ("GET", "/api/v1/companions/circle?learner_id={learner_id}"),
    ("GET", "/api/v1/companion-feedback/aggregate?learner_id={learner_id}"),
    ("GET", "/api/v1/companion-feedback?learner_id={learner_id}"),
    ("GET", "/api/v1/companion-suggestions?learner_id={learner_id}"),
    ("POST", "/api/v1/companion-suggestions"),
)


def test_companion_routes_with_a_learner_id_refuse_other_tenants_and_other_learners(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, beta = worlds
    ids = _victim_ids(client, beta, settings)
    victim = ids["learner_id"]
    coach = with_key(client, beta.coach)
    # The victim's own coach does reach them: the refusals below are not a broken route.
    assert coach.get(f"/api/v1/companions/circle?learner_id={victim}").status_code == 200
    [group] = coach.get(f"/api/v1/companion-feedback/aggregate?learner_id={victim}").json()
    assert group["companions"] == 3
    outsiders = [*alpha.people, beta.learners[1], beta.idle_coach, beta.admin]
    tried, breaches = 0, []
    for person in outsiders:
        caller = with_key(client, person)
        for method, route in LEARNER_ID_ROUTES:
            body = {"learner_id": victim, "who": "a peer", "question": "Q ?"}
            response = caller.request(
                method, route.format(learner_id=victim), json=body if method == "POST" else None
            )
            tried += 1
            refused = response.status_code in ALLOWED or response.json() == []
            if not refused or beta.canary in response.text:
                breaches.append(f"{person.email} {method} {route}: {response.status_code}")
    print(f"\nattack suite, companion routes by learner id: {tried} attacks")
    assert breaches == []
    # Nothing was suggested to the victim by anyone but their coach.
    assert len(coach.get(f"/api/v1/companion-suggestions?learner_id={victim}").json()) == 1
