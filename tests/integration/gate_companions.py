"""Companions in the gate property test (tests/integration/test_gate_property.py).

The model of the people a learner invites, the questions sent them and their answers, with
who may see what; and the rules that drive them: a learner invites someone (name, address,
question, whether the coach may see the name), the companion opens their magic link and
answers, the learner asks again, shares or unshares an answer, shows or hides the name,
revokes the link; everyone reads what the endpoints give them.

What must hold: the companion list, their names and addresses are the learner's; the coach
reads only answers the learner shared, the name only where the learner allowed it, and the
questions still open; the companion's page shows the learner's first name, the goal and this
companion's open questions, nothing else (no other text, no id but the questions', no address,
nothing of the organisation beyond the goal); the other organisation sees nothing (404).
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx
from hypothesis import strategies as st
from hypothesis.stateful import rule

from app.db.models.enums import Role
from tests.integration.gate_circles import MEMBERS
from tests.integration.gate_model import (
    ACTORS,
    API,
    INDEX,
    MARKER_RE,
    UUID_RE,
    Actor,
    ApiMachine,
    Model,
    Thing,
)

KINDS = frozenset({"companion", "companion_request", "companion_feedback"})
TEXTS = frozenset({"companion_name", "companion_question", "companion_feedback"})
MAX_COMPANIONS = 20  # app.domain.companions.services.MAX_COMPANIONS
MIN_COMPANIONS = 3  # app.domain.companions.overview.MIN_COMPANIONS
RELATIONS = ("peer", "colleague", "mentor", "relative", "other")
AS_LEARNER = st.one_of(MEMBERS, MEMBERS, ACTORS)
ANYONE = st.one_of(MEMBERS, ACTORS, ACTORS)
LEARNER_USES = st.sampled_from(
    ("invite", "invite", "invite", "ask", "share", "share", "share", "name", "revoke")
)
READS = st.sampled_from(("mine", "one", "requests", "feedback", "feedback", "circle", "aggregate"))
REQUEST_ID = re.compile(r'name="request_id" value="([^"]+)"')
UNREFUSED = frozenset({200, 403, 404})  # a learner id in a query filters a list: [] then


@dataclass
class CompanionM:
    id: str
    org: int
    learner: str
    token: str
    name: str  # its marker
    email: str
    named: bool
    revoked: bool = False
    requests: list[str] = field(default_factory=list)


@dataclass
class RequestM:
    id: str
    companion: str
    marker: str
    answered: bool = False


@dataclass
class FeedbackM:
    id: str
    org: int
    learner: str
    companion: str
    request: str
    fact: str
    shared: bool = False


class CompanionsModel:
    """Companions as far as visibility goes; one of the gate model's `more`."""

    def __init__(self, m: Model) -> None:
        self.m = m
        self.companions: dict[str, CompanionM] = {}
        self.requests: dict[str, RequestM] = {}
        self.feedback: dict[str, FeedbackM] = {}
        m.more.append(self)

    def owns(self, actor: Actor, companion: CompanionM | None) -> bool:
        return (
            companion is not None
            and companion.org == actor.org
            and self.m.role(actor) is Role.LEARNER
            and companion.learner == self.m.uid(actor)
        )

    def coaches(self, actor: Actor, org: int, learner: str) -> bool:
        return self.m.coach_sees_learner(actor, org, learner)

    def sees_feedback(self, actor: Actor, feedback: FeedbackM | None) -> bool:
        if feedback is None or feedback.org != actor.org:
            return False
        if self.m.role(actor) is Role.LEARNER:
            return feedback.learner == self.m.uid(actor)
        return feedback.shared and self.coaches(actor, feedback.org, feedback.learner)

    def is_open(self, request: RequestM) -> bool:
        return not request.answered and not self.companions[request.companion].revoked

    def sees_question(self, actor: Actor, request: RequestM) -> bool:
        """The learner's; their coach's while it waits, or once an answer to it is shared."""
        companion = self.companions[request.companion]
        if self.owns(actor, companion):
            return True
        return self.coaches(actor, companion.org, companion.learner) and (
            self.is_open(request)
            or any(f.shared for f in self.feedback.values() if f.request == request.id)
        )

    def sees_name(self, actor: Actor, companion: CompanionM) -> bool:
        return self.owns(actor, companion) or (
            companion.named and self.coaches(actor, companion.org, companion.learner)
        )

    def learner_sees_user(self, actor: Actor, user: str) -> bool:
        return False

    def may_see_object(self, actor: Actor, thing: Thing, key: str) -> bool | None:
        if thing.kind not in KINDS:
            return None
        if thing.org != actor.org:
            return False
        if self.m.role(actor) is Role.ADMIN:
            return True  # ids only (the audit log)
        if thing.kind == "companion":  # a coach gets the id beside a name they may see
            return self.sees_name(actor, self.companions[key])
        if thing.kind == "companion_request":
            return self.owns(actor, self.companions[self.requests[key].companion])
        return self.sees_feedback(actor, self.feedback[key])

    def may_see_marker(self, actor: Actor, thing: Thing) -> bool | None:
        if thing.kind not in TEXTS:
            return None
        if thing.org != actor.org:
            return False
        if thing.kind == "companion_name":
            return self.sees_name(actor, self.companions[thing.ref])
        if thing.kind == "companion_question":
            return self.sees_question(actor, self.requests[thing.ref])
        return self.sees_feedback(actor, self.feedback[thing.ref])

    def check_body(self, actor: Actor, where: str, body: str) -> None:
        for companion in self.companions.values():
            if not self.owns(actor, companion):
                assert companion.email not in body, (
                    f"{where}: receives the address of companion {companion.id}: {body[:800]}"
                )

    def check_page(self, companion: CompanionM, where: str, sent: str, page: str) -> None:
        """The companion's page: the first name, the goal, this companion's open questions."""
        world = self.m.worlds[companion.org]
        other = self.m.worlds[1 - companion.org]
        for secret in (other.canary, f"@{other.slug}.", f"@{world.slug}.", "@friends."):
            assert secret not in page, f"{where}: shows {secret!r}: {page[:800]}"
        assert world.canary not in page.replace(f"goal {world.canary}", ""), (
            f"{where}: shows the organisation beyond the goal: {page[:800]}"
        )
        open_requests = [
            r for r in map(self.requests.get, companion.requests) if r and self.is_open(r)
        ]
        allowed = {r.marker for r in open_requests} | set(MARKER_RE.findall(sent))
        for marker in sorted(set(MARKER_RE.findall(page)) - allowed):
            thing = self.m.markers[marker]
            raise AssertionError(f"{where}: shows {thing.kind} {thing.ref}: {page[:800]}")
        ids = {r.id for r in open_requests}
        for found in sorted(set(UUID_RE.findall(page.lower())) - ids):
            raise AssertionError(f"{where}: shows the id {found}: {page[:800]}")

    def aggregate(self, actor: Actor, learner: str | None) -> dict[str, int]:
        """learner id -> companions who answered, where at least three did."""
        seen: dict[str, set[str]] = defaultdict(set)
        for f in self.feedback.values():
            if self.sees_feedback(actor, f) and learner in (None, f.learner):
                seen[f.learner].add(f.companion)
        return {k: len(v) for k, v in seen.items() if len(v) >= MIN_COMPANIONS}


class CompanionRules(ApiMachine):
    """The rules of the companions, mixed into the gate machine."""

    companions: ClassVar[CompanionsModel]

    def pick_companion(self, data: st.DataObject, actor: Actor, active: bool = True) -> str:
        k = self.companions
        everyone = list(k.companions.values())
        related = [c.id for c in everyone if k.owns(actor, c)]
        mine = [i for i in related if not (active and k.companions[i].revoked)]
        return self.pick(data, actor, [c.id for c in everyone], mine, related)[0]

    def pick_learner(self, data: st.DataObject, actor: Actor) -> str:
        learners = [str(p.id) for w in self.m.worlds for p in w.learners]
        mine = [x for x in learners if self.companions.coaches(actor, actor.org, x)] or [
            self.m.uid(actor)
        ]
        own = [str(p.id) for p in self.m.worlds[actor.org].learners]
        return self.pick(data, actor, learners, mine, own)[0]

    @rule(actor=AS_LEARNER, what=LEARNER_USES, value=st.booleans(), data=st.data())
    def learner_uses_companions(self, actor: Actor, what: str, value: bool, data: Any) -> None:
        """Invite someone, ask a companion again, share an answer or stop, show or hide a
        name, revoke a link."""
        if what == "invite":
            self.learner_invites(actor, value, data.draw(st.sampled_from(RELATIONS)))
        elif what == "ask":
            self.learner_asks_again(actor, data)
        else:
            self.learner_decides(actor, what, value, data)

    def learner_invites(self, actor: Actor, named: bool, relation: str) -> None:
        """Someone to accompany the goal: the link comes back once (no SMTP here)."""
        k, me = self.companions, self.m.uid(actor)
        enrolled = any(
            e.org == actor.org and e.learner == me and e.active for e in self.m.enrollments.values()
        )
        if self.m.role(actor) is not Role.LEARNER:
            expected = 403
        elif not enrolled or sum(k.owns(actor, c) for c in k.companions.values()) >= MAX_COMPANIONS:
            expected = 409
        else:
            expected = 201
        name, question = self.m.new_marker(), self.m.new_marker()
        body: dict[str, Any] = {
            "name": f"Friend {name}",
            "email": f"friend-{name[2:-1]}@friends.example",
            "relation": relation,
            "question": f"What did you notice {question}?",
            "name_visible_to_coach": named,
        }
        response = self.call(actor, "POST", "/companions", body)
        self.expect(response, expected, actor, "invite a companion")
        if expected != 201:
            return
        got = response.json()
        token = got["link"].rsplit("/c/", 1)[1]
        companion = CompanionM(
            got["companion"]["id"], actor.org, me, token, name, body["email"], named
        )
        k.companions[companion.id] = companion
        self.m.objects[companion.id] = Thing("companion", actor.org)
        self.m.register(name, "companion_name", actor.org, companion.id)
        self.asked(companion, got["request"]["id"], question)

    def asked(self, companion: CompanionM, request_id: str, marker: str) -> None:
        self.companions.requests[request_id] = RequestM(request_id, companion.id, marker)
        companion.requests.append(request_id)
        self.m.objects[request_id] = Thing("companion_request", companion.org)
        self.m.register(marker, "companion_question", companion.org, request_id)

    @rule(
        index=INDEX,
        unknown=st.sampled_from((False, False, False, True)),
        answer=st.sampled_from((True, True, False)),
    )
    def companion_opens_the_link(self, index: int, unknown: bool, answer: bool) -> None:
        """The page behind the link, and an answer to its first open question."""
        k = self.companions
        everyone = list(k.companions.values())
        if unknown or not everyone:
            response = self.page("GET", secrets.token_urlsafe(32))
            assert response.status_code == 404, response.text[:800]
            return
        waiting_ones = [c for c in everyone if any(k.is_open(k.requests[r]) for r in c.requests)]
        # Mostly someone with a question to answer; else anyone (a revoked link: 410).
        pool = waiting_ones if answer and waiting_ones else everyone
        companion = pool[index % len(pool)]
        response = self.page("GET", companion.token)
        expected = 410 if companion.revoked else 200
        assert response.status_code == expected, f"{companion.id}: {response.status_code}"
        self.m.outcomes[("a companion opens their link", expected)] += 1
        k.check_page(companion, f"the page of companion {companion.id}", "", response.text)
        waiting = REQUEST_ID.search(response.text)
        if expected != 200 or not answer or waiting is None:
            return
        markers = [self.m.new_marker() for _ in range(3)]
        form = {
            "request_id": waiting.group(1),
            "fact": f"Fact {markers[0]}",
            "effect": f"Effect {markers[1]}",
            "suggestion": f"Suggestion {markers[2]}",
        }
        response = self.page("POST", companion.token, form)
        assert response.status_code == 200, response.text[:800]
        k.check_page(companion, f"the answer of {companion.id}", str(form), response.text)
        request = k.requests[waiting.group(1)]
        request.answered = True
        owner = Actor(
            companion.org,
            "learner"
            + str(
                [str(p.id) for p in self.m.worlds[companion.org].learners].index(companion.learner)
            ),
            "key",
        )
        # The owner's list names the new answer: read it first, check it once it is known.
        response = self.harness.identities[owner].get(f"{API}/companion-feedback")
        [got] = [f for f in response.json() if f["fact"] == form["fact"]]
        assert (got["question"], got["shared_with_coach"], got["safety_tier"]) == (
            f"What did you notice {request.marker}?",
            False,
            None,
        ), got
        feedback = FeedbackM(
            got["id"], companion.org, companion.learner, companion.id, request.id, form["fact"]
        )
        k.feedback[feedback.id] = feedback
        self.m.objects[feedback.id] = Thing("companion_feedback", companion.org)
        for marker in markers:
            self.m.register(marker, "companion_feedback", companion.org, feedback.id)
        self.m.check(owner, "GET /companion-feedback", "", response)
        if index % 2:  # the learner shares it with their coach at once, half the time
            shared = self.call(
                owner, "PATCH", f"/companion-feedback/{feedback.id}", {"shared_with_coach": True}
            )
            self.expect(shared, 200, owner, f"share {feedback.id}")
            feedback.shared = True
        if index % 3 == 0:  # and sometimes withdraws the link, which dies at once
            revoked = self.call(owner, "POST", f"/companions/{companion.id}/revoke")
            self.expect(revoked, 201, owner, f"revoke {companion.id}")
            companion.revoked = True
            gone = self.page("GET", companion.token)
            assert gone.status_code == 410, f"{companion.id} revoked: {gone.status_code}"
            self.m.outcomes[("a companion opens their link", 410)] += 1
        self.m.outcomes[("a companion answers through the link", 200)] += 1

    def page(self, method: str, token: str, form: dict[str, str] | None = None) -> httpx.Response:
        client = self.harness.client
        response = client.request(method, f"/c/{token}", data=form)
        client.cookies.clear()  # each identity carries its own cookie; the jar stays empty
        assert response.status_code < 500, response.text[:800]
        return response

    def learner_asks_again(self, actor: Actor, data: Any) -> None:
        k = self.companions
        companion_id = self.pick_companion(data, actor)
        companion = k.companions.get(companion_id)
        if self.m.role(actor) is not Role.LEARNER:
            expected = 403
        elif not k.owns(actor, companion):
            expected = 404
        else:
            expected = 409 if companion.revoked else 201  # type: ignore[union-attr]
        marker = self.m.new_marker()
        body = {"question": f"What did you notice {marker}?"}
        response = self.call(actor, "POST", f"/companions/{companion_id}/requests", body)
        self.expect(response, expected, actor, f"ask {companion_id} again")
        if expected == 201:
            assert companion is not None
            self.asked(companion, response.json()["id"], marker)

    def learner_decides(self, actor: Actor, what: str, value: bool, data: Any) -> None:
        """Share an answer with the coach or stop; show or hide a name; revoke a link."""
        k = self.companions
        learner = self.m.role(actor) is Role.LEARNER
        if what == "share":
            everyone = list(k.feedback.values())
            mine = [f.id for f in everyone if k.sees_feedback(actor, f) and learner]
            feedback_id = self.pick(data, actor, [f.id for f in everyone], mine, mine)[0]
            feedback = k.feedback.get(feedback_id)
            owner = learner and k.sees_feedback(actor, feedback)
            expected = 200 if owner else (404 if learner else 403)
            body = {"shared_with_coach": value}
            response = self.call(actor, "PATCH", f"/companion-feedback/{feedback_id}", body)
            self.expect(response, expected, actor, f"share {feedback_id}")
            if expected == 200:
                assert feedback is not None
                assert response.json()["shared_with_coach"] is value
                feedback.shared = value
            return
        companion_id = self.pick_companion(data, actor, active=what == "revoke")
        companion = k.companions.get(companion_id)
        expected = 200 if k.owns(actor, companion) else (404 if learner else 403)
        if what == "name":
            body = {"name_visible_to_coach": value}
            response = self.call(actor, "PATCH", f"/companions/{companion_id}", body)
        else:
            expected = 201 if expected == 200 else expected
            response = self.call(actor, "POST", f"/companions/{companion_id}/revoke")
        self.expect(response, expected, actor, f"{what} {companion_id}")
        if expected in {200, 201}:
            assert companion is not None
            if what == "name":
                companion.named = value
            else:
                companion.revoked = True
                assert response.json()["status"] == "revoked"
                gone = self.page("GET", companion.token)  # the link dies at once
                assert gone.status_code == 410, f"{companion.id} revoked: {gone.status_code}"
                self.m.outcomes[("a companion opens their link", 410)] += 1

    @rule(actor=ANYONE, what=READS, data=st.data())
    def someone_reads_companions(self, actor: Actor, what: str, data: Any) -> None:
        k = self.companions
        role = self.m.role(actor)
        if what in {"mine", "one", "requests"}:
            self.reads_own_companions(actor, what, data)
        elif what == "feedback":
            learner = self.pick_learner(data, actor) if data.draw(st.booleans()) else None
            params = {"learner_id": learner} if learner else None
            response = self.call(
                actor, "GET", "/companion-feedback", params=params, refused=UNREFUSED
            )
            self.expect(response, 403 if role is Role.ADMIN else 200, actor, "companion feedback")
            if role is Role.ADMIN:
                return
            expected = {
                f.id
                for f in k.feedback.values()
                if k.sees_feedback(actor, f) and learner in (None, f.learner)
            }
            got = response.json()
            assert {f["id"] for f in got} == expected, f"feedback of {actor}: {got}"
            for f in got:
                companion = k.companions[k.feedback[f["id"]].companion]
                named = k.sees_name(actor, companion)
                assert (companion.name in f["companion"]) is named, f
                assert f["companion_id"] == (companion.id if named else None), f
            if role is Role.COACH and got:
                self.m.outcomes[("a coach reads shared feedback", 200)] += 1
        elif what == "circle":
            learner = self.pick_learner(data, actor)
            response = self.call(actor, "GET", "/companions/circle", params={"learner_id": learner})
            coach = role is Role.COACH
            ok = coach and k.coaches(actor, actor.org, learner)
            self.expect(response, 200 if ok else (404 if coach else 403), actor, "their circle")
            if ok:
                mine = sorted(
                    (c for c in k.companions.values() if c.learner == learner),
                    key=lambda c: c.id,
                )
                got = response.json()
                assert [x["name"] for x in got] == [
                    f"Friend {c.name}" if c.named else "" for c in mine
                ], got
        else:
            learner = self.pick_learner(data, actor) if data.draw(st.booleans()) else None
            params = {"learner_id": learner} if learner else None
            response = self.call(
                actor, "GET", "/companion-feedback/aggregate", params=params, refused=UNREFUSED
            )
            self.expect(response, 403 if role is Role.ADMIN else 200, actor, "the aggregate")
            if role is not Role.ADMIN:
                got = {a["learner_id"]: a["companions"] for a in response.json()}
                assert got == k.aggregate(actor, learner), f"aggregate as {actor}: {got}"
                if got:
                    self.m.outcomes[("an aggregate of three companions or more", 200)] += 1

    def reads_own_companions(self, actor: Actor, what: str, data: Any) -> None:
        k = self.companions
        learner = self.m.role(actor) is Role.LEARNER
        if what == "mine":
            response = self.call(actor, "GET", "/companions")
            self.expect(response, 200 if learner else 403, actor, "my companions")
            if learner:
                got = sorted(c["id"] for c in response.json())
                assert got == sorted(c.id for c in k.companions.values() if k.owns(actor, c))
            return
        companion_id = self.pick_companion(data, actor, active=False)
        companion = k.companions.get(companion_id)
        expected = 200 if k.owns(actor, companion) else (404 if learner else 403)
        path = f"/companions/{companion_id}" + ("/requests" if what == "requests" else "")
        response = self.call(actor, "GET", path)
        self.expect(response, expected, actor, path)
        if expected == 200 and what == "requests":
            assert companion is not None
            assert [r["id"] for r in response.json()] == companion.requests

    def companion_final_checks(self) -> None:
        """At the end of an example: each coach reads exactly the answers shared with them."""
        for org in (0, 1):
            coach = Actor(org, "coach", "key")
            response = self.call(coach, "GET", "/companion-feedback")
            self.expect(response, 200, coach, "shared feedback")
            k = self.companions
            expected = {f.id for f in k.feedback.values() if k.sees_feedback(coach, f)}
            assert {f["id"] for f in response.json()} == expected, f"shared with {coach}"
            if expected:
                self.m.outcomes[("a coach reads shared feedback", 200)] += 1
