"""Companions through HTTP, on both databases: a learner invites someone with a question
drafted from their goal, the companion answers through their magic link (no account), the
learner shares the answer with their coach or revokes the link, and the coach reads only
what was shared. Isolation, export, erasure and the link e-mail (a real SMTP server) too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select, update

from app.db.models import Companion, CompanionFeedback, OutboundEmail
from app.lib.clock import utcnow
from app.lib.security import sha256_hex
from app.settings import Settings
from tests.mail import Inbox, mail_settings, send_due
from tests.support import OrgWorld, run_db, with_key, with_session

C = "/api/v1/companions"
F = "/api/v1/companion-feedback"


def _invite(learner: Any, **changes: Any) -> dict[str, Any]:
    body = {
        "name": "Camille Martin",
        "email": "camille@friends.example",
        "relation": "peer",
        "question": "Qu'avez-vous observé lorsque j'ai pris la parole en réunion ?",
        **changes,
    }
    response = learner.post(C, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _token(link: str) -> str:
    return link.rsplit("/c/", 1)[1]


def _answer(client: TestClient[Any], token: str, **fields: str) -> Any:
    page = client.get(f"/c/{token}")
    assert page.status_code == 200, page.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert request_id, page.text
    form = {"request_id": request_id.group(1), "fact": "", "effect": "", "suggestion": ""}
    return client.post(f"/c/{token}", data={**form, **fields})


def test_invite_answer_share_and_the_coach_reads_only_what_was_shared(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = with_session(client, alpha.learners[0])
    coach = with_key(client, alpha.coach)

    draft = learner.get(f"{C}/question-draft")
    assert draft.status_code == 200, draft.text
    assert draft.json()["language"] == "fr"
    assert draft.json()["question"].startswith("Qu'avez-vous observé")
    assert f"goal {alpha.canary}" in draft.json()["question"]  # the goal's own words

    invited = _invite(learner, question=draft.json()["question"])
    assert invited["mailed"] is False  # no SMTP here: the link is shown once
    link = invited["link"]
    assert "/c/" in link
    assert invited["companion"]["status"] == "active"
    assert invited["companion"]["goal"] == f"goal {alpha.canary}"
    listed = learner.get(C).json()
    assert [c["name"] for c in listed] == ["Camille Martin"]
    assert "token" not in str(listed)
    assert _token(link) not in str(listed)

    # The companion's page: first name, the goal, the question; nothing else.
    page = client.get(f"/c/{_token(link)}")
    assert page.status_code == 200
    assert "Learner1" in page.text
    assert f"goal {alpha.canary}" in page.text
    assert draft.json()["question"].replace("'", "&#39;") in page.text
    assert alpha.canary not in page.text.replace(f"goal {alpha.canary}", "")  # no org name
    assert "learner1@" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]

    # A blank fact is refused beside its field, nothing stored.
    refused = _answer(client, _token(link), fact=" ", effect="Effet")
    assert refused.status_code == 400
    assert 'id="fact-error"' in refused.text
    assert learner.get(F).json() == []

    sent = _answer(
        client,
        _token(link),
        fact="Mardi tu as présenté le budget en deux minutes.",
        effect="L'équipe a pu décider tout de suite.",
        suggestion="Garde ce format.",
    )
    assert sent.status_code == 200, sent.text
    assert 'id="companion-thanks"' in sent.text
    assert 'id="companion-none"' in sent.text  # the question is answered

    [answer] = learner.get(F).json()
    assert answer["companion"] == "Camille Martin"
    assert answer["fact"].startswith("Mardi")
    assert answer["shared_with_coach"] is False
    assert answer["safety_tier"] is None

    # The coach reads nothing until the learner shares, then without the name.
    assert coach.get(F).json() == []
    assert coach.get(C).status_code == 403  # who the companions are is the learner's
    shared = learner.patch(f"{F}/{answer['id']}", json={"shared_with_coach": True})
    assert shared.status_code == 200, shared.text
    [seen] = coach.get(F, params={"learner_id": str(alpha.learners[0].id)}).json()
    assert seen["fact"].startswith("Mardi")
    assert seen["companion"] == ""
    assert seen["companion_id"] is None
    assert seen["relation"] == "peer"
    # The learner lets the coach see the name.
    companion_id = invited["companion"]["id"]
    assert learner.patch(f"{C}/{companion_id}", json={"name_visible_to_coach": True}).is_success
    assert coach.get(F).json()[0]["companion"] == "Camille Martin"
    # Another coach of the organisation, the admin, another learner: nothing.
    assert with_key(client, alpha.idle_coach).get(F).json() == []
    assert with_key(client, alpha.admin).get(F).status_code == 403
    assert with_key(client, alpha.learners[1]).get(F).json() == []
    # The coach's brief page shows the shared feedback.
    brief = with_session(client, alpha.coach).get(f"/coach/learners/{alpha.learners[0].id}/brief")
    assert brief.status_code == 200
    assert "Mardi tu as présenté le budget" in brief.text


def test_a_second_question_then_revoking_kills_the_link_at_once(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, _ = worlds
    learner = with_key(client, alpha.learners[0])
    invited = _invite(learner)
    token, companion_id = _token(invited["link"]), invited["companion"]["id"]

    asked = learner.post(f"{C}/{companion_id}/requests", json={"question": "Et en 1:1 ?"})
    assert asked.status_code == 201, asked.text
    assert len(learner.get(f"{C}/{companion_id}/requests").json()) == 2

    revoked = learner.post(f"{C}/{companion_id}/revoke")
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["status"] == "revoked"
    gone = client.get(f"/c/{token}")
    assert gone.status_code == 410
    assert 'id="companion-gone"' in gone.text
    assert client.post(f"/c/{token}", data={"fact": "x", "effect": "y"}).status_code == 410
    # No new question to a revoked companion.
    again = learner.post(f"{C}/{companion_id}/requests", json={"question": "Encore ?"})
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "companion_id"

    # An expired link says so; an unknown one is not found.
    other = _invite(learner, email="dom@friends.example")

    async def expire(db: Any) -> None:
        await db.execute(
            update(Companion)
            .where(Companion.id == other["companion"]["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )

    run_db(settings, expire)
    expired = client.get(f"/c/{_token(other['link'])}")
    assert expired.status_code == 410
    assert "expiré" in expired.text or "expired" in expired.text
    assert client.get("/c/not-a-real-token").status_code == 404


def test_bad_input_is_refused_naming_the_field(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = with_key(client, alpha.learners[0])
    good = {"name": "A", "email": "a@b.example", "relation": "peer", "question": "Q ?"}
    for field, value in (
        ("email", "not-an-address"),
        ("relation", "boss"),
        ("question", "   "),
        ("name", ""),
        ("question", "x" * 501),
    ):
        response = learner.post(C, json={**good, field: value})
        assert response.status_code == 400, (field, response.text)
        assert response.json()["error"]["field"] == field, response.text
    unknown = learner.post(C, json={**good, "surprise": 1})
    assert unknown.status_code == 400
    # Coaches and admins do not invite companions for a learner.
    assert with_key(client, alpha.coach).post(C, json=good).status_code == 403
    assert with_key(client, alpha.admin).post(C, json=good).status_code == 403
    assert learner.get(C).json() == []  # nothing half-written


def test_isolation_a_learner_or_coach_never_reaches_anothers_companions(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, beta = worlds
    owner = with_key(client, alpha.learners[0])
    invited = _invite(owner)
    companion_id = invited["companion"]["id"]
    _answer(client, _token(invited["link"]), fact="Fait", effect="Effet")
    [answer] = owner.get(F).json()
    owner.patch(f"{F}/{answer['id']}", json={"shared_with_coach": True})
    for person in (alpha.learners[1], beta.learners[0], beta.coach, alpha.coach):
        caller = with_key(client, person)
        assert caller.get(f"{C}/{companion_id}").status_code in (403, 404)
        assert caller.post(f"{C}/{companion_id}/revoke").status_code in (403, 404)
        response = caller.patch(f"{F}/{answer['id']}", json={"shared_with_coach": False})
        assert response.status_code in (403, 404)
    assert with_key(client, beta.coach).get(F).json() == []
    assert len(with_key(client, alpha.coach).get(F).json()) == 1  # still shared


def test_export_and_erasure_carry_companions_and_what_they_wrote(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, _ = worlds
    me = alpha.learners[0]
    learner = with_session(client, me)
    invited = _invite(learner)
    _answer(client, _token(invited["link"]), fact="FACT-ERASE", effect="EFFECT-ERASE")
    suggested = with_key(client, alpha.coach).post(
        "/api/v1/companion-suggestions",
        json={"learner_id": str(me.id), "who": "WHO-ERASE", "question": "Q ?"},
    )
    assert suggested.status_code == 201, suggested.text
    other = with_key(client, alpha.learners[1])
    _invite(other, name="Kept Companion")

    export = learner.get("/api/v1/me/export").json()
    [exported] = export["companions"]
    assert exported["companion"]["name"] == "Camille Martin"
    assert [f["fact"] for f in exported["feedback"]] == ["FACT-ERASE"]
    assert len(exported["requests"]) == 1
    assert _token(invited["link"]) not in str(export)
    assert [s["who"] for s in export["companion_suggestions"]] == ["WHO-ERASE"]

    erased = learner.post("/api/v1/me/erase", json={"confirm": me.email})
    assert erased.status_code == 200, erased.text
    counts = erased.json()["deleted"]
    assert counts["companions"] == 1
    assert counts["companion_feedback"] == 1
    assert counts["companion_suggestions"] == 1
    assert client.get(f"/c/{_token(invited['link'])}").status_code == 404

    async def left(db: Any) -> tuple[list[str], list[str]]:
        names = list(await db.scalars(select(Companion.name)))
        facts = list(await db.scalars(select(CompanionFeedback.fact)))
        return names, facts

    assert run_db(settings, left) == (["Kept Companion"], [])  # the other learner's stays


def test_the_link_is_mailed_and_only_its_hash_is_kept(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    smtp: tuple[Inbox, int],
    settings: Settings,
) -> None:
    inbox, port = smtp
    client = start_app(**mail_settings(port))
    alpha, _ = worlds
    learner = with_key(client, alpha.learners[0])
    invited = _invite(learner)
    assert invited["mailed"] is True
    assert invited["link"] is None  # the learner never holds a mailed link
    send_due(client, settings, port, at=utcnow() + timedelta(seconds=1))
    [mail] = inbox.about("Learner1")
    assert mail["To"] == "camille@friends.example"
    body = inbox.text_of(mail)
    assert f"goal {alpha.canary}" in body
    assert "Qu'avez-vous observé" in body
    found = re.search(r"https://coach\.example/c/([\w-]+)", body)
    assert found, body
    token = found.group(1)

    async def stored(db: Any) -> tuple[list[str | None], list[str]]:
        hashes = list(await db.scalars(select(Companion.token_hash)))
        bodies = list(await db.scalars(select(OutboundEmail.text_body)))
        return hashes, bodies

    hashes, bodies = run_db(settings, stored)
    assert hashes == [sha256_hex(token)]
    assert all(token not in b for b in bodies)  # blanked once sent
    assert client.get(f"/c/{token}").status_code == 200


def test_the_learners_page_invites_shares_and_revokes_with_forms(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = with_session(client, alpha.learners[0])
    csrf = learner.headers["X-CSRF-Token"]
    page = learner.get("/me/companions")
    assert page.status_code == 200, page.text
    assert "Qu&#39;avez-vous observé" in page.text  # the drafted question, to review
    form = {
        "csrf_token": csrf,
        "name": "Sam",
        "email": "sam@friends.example",
        "relation": "mentor",
        "question": "Qu'as-tu remarqué en réunion ?",
    }
    # Without the CSRF token the form is refused; a bad address is named beside its field.
    no_csrf = {k: v for k, v in form.items() if k != "csrf_token"}
    headers = {"Cookie": learner.headers["Cookie"]}
    assert client.post("/me/companions", data=no_csrf, headers=headers).status_code == 403
    bad = client.post("/me/companions", data={**form, "email": "nope"}, headers=headers)
    assert bad.status_code == 400
    assert 'id="companion-email-error"' in bad.text
    assert "prenom@exemple.fr" in bad.text  # what to fix, in the learner's language
    sent = client.post("/me/companions", data=form, headers=headers)
    assert sent.status_code == 200, sent.text
    found = re.search(r'id="companion-link" value="([^"]+)"', sent.text)
    assert found, sent.text
    token = _token(found.group(1))
    assert _token(found.group(1)) not in learner.get("/me/companions").text  # shown once

    _answer(client, token, fact="FAIT-PAGE", effect="EFFET-PAGE")
    listed = learner.get("/me/companions").text
    assert "FAIT-PAGE" in listed
    [answer] = learner.get(F).json()
    shared = client.post(
        f"/me/companions/feedback/{answer['id']}/share",
        data={"csrf_token": csrf, "shared": "true"},
        headers=headers,
        follow_redirects=False,
    )
    assert shared.status_code == 303
    assert learner.get(F).json()[0]["shared_with_coach"] is True
    [companion] = learner.get(C).json()
    revoked = client.post(
        f"/me/companions/{companion['id']}/revoke",
        data={"csrf_token": csrf},
        headers=headers,
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert client.get(f"/c/{token}").status_code == 410


POLICY = {
    "escalation_resources": [{"label": "Ligne d'écoute", "contact": "3114"}],
    "support_resources": [{"label": "Écoute salariés", "contact": "0800 111 222"}],
}
URGENT_FACT = "Jeudi, en sortant de réunion, elle m'a dit : « je pense à mettre fin à mes jours »."
SUPPORT_FACT = (
    "Son manager lui fait des remarques sexuelles depuis des semaines, elle ne sait plus quoi "
    "faire."
)


def test_the_guard_reads_a_companions_words_flags_them_and_alerts_only_when_urgent(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    admin = with_key(client, alpha.admin)
    assert admin.patch("/api/v1/organization", json={"policy": POLICY}).status_code == 200
    learner, coach = with_key(client, alpha.learners[0]), with_key(client, alpha.coach)

    support = _answer(
        client, _token(_invite(learner)["link"]), fact=SUPPORT_FACT, effect="Je m'inquiète."
    )
    assert support.status_code == 200, support.text
    assert 'id="companion-resources"' in support.text
    assert "0800 111 222" in support.text
    assert coach.get("/api/v1/escalations").json()["items"] == []  # not the coach's business

    urgent = _answer(
        client,
        _token(_invite(learner, email="b@friends.example")["link"]),
        fact=URGENT_FACT,
        effect="Je suis très inquiet.",
    )
    assert urgent.status_code == 200, urgent.text
    assert "3114" in urgent.text  # the companion is shown where to turn
    alerts = coach.get("/api/v1/escalations").json()["items"]
    assert [(a["tier"], a["stage"]) for a in alerts] == [("urgent", "companion")]
    assert "mettre fin" not in str(alerts)  # the category, never the words
    assert coach.get(F).json() == []  # the answers stay unshared
    tiers = sorted(str(f["safety_tier"]) for f in learner.get(F).json())
    assert tiers == ["support", "urgent"]  # stored, flagged, never silently


def test_the_brief_cites_the_shared_feedback_and_never_the_rest(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    person = alpha.learners[0]
    learner, coach = with_key(client, person), with_key(client, alpha.coach)
    _answer(client, _token(_invite(learner)["link"]), fact="SHARED-FACT en réunion", effect="Bien")
    _answer(
        client,
        _token(_invite(learner, email="p@friends.example")["link"]),
        fact="PRIVATE-FACT",
        effect="Rien",
    )
    shared_id = next(f["id"] for f in learner.get(F).json() if f["fact"].startswith("SHARED"))
    learner.patch(f"{F}/{shared_id}", json={"shared_with_coach": True})

    path = f"/api/v1/learners/{person.id}/brief"
    assert coach.post(path).status_code == 201
    brief = coach.get(path).json()["brief"]
    since_point = brief["changes"][-1]
    assert since_point["text"].endswith(": 1 retour de compagnon partagé."), since_point
    [point] = [p for p in brief["themes"] if "SHARED-FACT" in p["text"]]
    assert point["text"].startswith("Retour d'un pair, le ")
    assert point["cites"] == [{"id": shared_id, "kind": "companion"}]
    assert "PRIVATE-FACT" not in str(brief)
    assert "Camille" not in str(brief)  # the learner did not allow the name
