"""The model of tests/integration/test_gate_property.py: who may see what, and the strategies.

The state machine (the rules, the calls, the end-of-example checks) is in the test module; this
module holds what it predicts with: the constants and hypothesis settings, the model of every
object (organisation, owner, review state, due date, who coaches whom) with its visibility
rules and the response scanner, the harness (identities by API key and by session), and the
strategies that pick actors and actions. It holds no test: pytest collects nothing here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol
from uuid import uuid4

import httpx
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import LEARNER_VISIBLE_STATES, Role, SuggestionKind, SuggestionState
from app.lib.clock import utcnow
from tests.support import As, OrgWorld, Person, with_key, with_session

API = "/api/v1"
WHO = ("admin", "coach", "idle_coach", "learner0", "learner1")
# Three more learners in each organisation, so that a peer circle (4 to 8) can form and leave
# someone out; the rules of the first five identities use them as members.
EXTRA_LEARNERS = ("learner2", "learner3", "learner4")
VIAS = ("key", "session")
PENDING = SuggestionState.PENDING_REVIEW.value
APPROVED = SuggestionState.APPROVED.value
EDITED = SuggestionState.EDITED.value
REJECTED = SuggestionState.REJECTED.value
DELIVERED = SuggestionState.DELIVERED.value
VISIBLE = frozenset(s.value for s in LEARNER_VISIBLE_STATES)
KINDS = tuple(k.value for k in SuggestionKind)
QUESTION_KINDS = frozenset(
    {SuggestionKind.COMPANY_QUESTION.value, SuggestionKind.TEAM_QUESTION.value}
)
SEEDED_DRAFT_PHRASE = ": what would change for your team?"  # tests.support.draft_items
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MARKER_RE = re.compile(r"\[m\d{5}\]")
UNKNOWN = "unknown"
POOLS = ("mine", "mine", "mine", "related", "own org", "other org", UNKNOWN)
INDEX = st.integers(0, 2**16)

# No shrinking: examples share the database, so a shorter replay is not the same situation
# (and the model can no longer be exact after a failure); the first failing run is reported.
STEPS = hypothesis_settings(
    max_examples=40,
    stateful_step_count=35,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    report_multiple_bugs=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
REVIEWS = (
    "POST /suggestions/{id}/approve",
    "POST /suggestions/{id}/edit",
    "POST /suggestions/{id}/reject",
    "POST /suggestions/batch",
)
OTHER_ORG = "a request naming the other org's ids"
REFUSED = frozenset({403, 404})  # what naming the other org's ids answers
# What every run must have done, or it did not test what it claims to: each requirement is met
# by any one of its (endpoint, status) outcomes.
MUST_SEE: dict[str, set[tuple[str, int]]] = {
    "a coach approves": {(REVIEWS[0], 200), (REVIEWS[3], 200)},
    "a coach edits": {(REVIEWS[1], 200)},
    "a coach rejects": {(REVIEWS[2], 200)},
    "a review of a reviewed draft": {(r, 409) for r in REVIEWS},
    "a review by a non-coach": {(r, 403) for r in REVIEWS},
    "a review of a draft not the coach's": {(r, 404) for r in REVIEWS},
    "a learner reads an item by id": {("GET /feed/{id}", 200)},
    "a learner is refused an item": {("GET /feed/{id}", 404)},
    "a learner answers": {("POST /feed/{id}/answers", 201)},
    "a learner is refused the queue": {("GET /suggestions", 403)},
    "a learner exports their data": {("GET /me/export", 200)},
    "a conversation is read": {("GET /conversations/{id}", 200)},
    "a conversation is refused": {("GET /conversations/{id}", 404)},
    "a message is posted": {("POST /conversations/{id}/messages", 201)},
    "the other org's ids answer 404": {(OTHER_ORG, 404)},
}
# The same for circles and companions (tests/integration/gate_circles.py, gate_companions.py).
CIRCLE_REVIEW = "POST /circle-drafts/{id}/review"
MORE_MUST_SEE: dict[str, set[tuple[str, int]]] = {
    "a circle is formed": {("POST /circles", 201)},
    "a circle is refused": {("POST /circles", 400), ("POST /circles", 403)},
    "a facilitator starts a session": {("POST /circles/{id}/sessions", 201)},
    "a member writes": {("POST /circle-sessions/{id}/contributions", 201)},
    "the agent drafts for a circle": {("the agent drafts for a circle", 201)},
    "a facilitator reviews a draft": {(CIRCLE_REVIEW, 201)},
    "a member may not review": {(CIRCLE_REVIEW, 403)},
    "a draft not one's own is not found": {(CIRCLE_REVIEW, 404)},
    "a member is kept from a pending draft": {("a member is kept from a draft", 200)},
    "a circle session is refused": {("GET /circle-sessions/{id}", 404)},
    "a learner invites a companion": {("POST /companions", 201)},
    "a companion answers through the link": {("a companion answers through the link", 200)},
    "a revoked link answers 410": {("a companion opens their link", 410)},
    "a learner shares an answer": {("PATCH /companion-feedback/{id}", 200)},
    "a coach reads shared feedback": {("a coach reads shared feedback", 200)},
    "a companion not one's own is not found": {
        (f"{method} /companions/{{id}}{tail}", 404)
        for method, tail in (("GET", ""), ("PATCH", ""), ("POST", "/requests"), ("POST", "/revoke"))
    },
}


# ------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class Actor:
    org: int
    who: str
    via: str


@dataclass
class Draft:
    id: str
    org: int
    learner: str
    kind: str
    text: str
    state: str = PENDING
    due: datetime | None = None  # None: due at once (approved without deliver_at)
    banked: bool = False
    seeded: bool = False
    answers: list[str] = field(default_factory=list)


@dataclass
class EnrollmentM:
    id: str
    org: int
    learner: str
    coach: str
    active: bool = True


@dataclass
class SessionM:
    id: str
    org: int
    learner: str


@dataclass
class ConversationM:
    id: str
    org: int
    learner: str
    shared: bool
    messages: list[str] = field(default_factory=list)


@dataclass
class AnswerM:
    id: str
    org: int
    learner: str
    draft: str


@dataclass
class Thing:
    """What an id or a text marker belongs to."""

    kind: str
    org: int
    ref: str = ""


class MoreContent(Protocol):
    """More kinds of content, modelled elsewhere (tests/integration/gate_circles.py): each
    answers for its own kinds (None: not mine) and scans responses its own way."""

    def may_see_object(self, actor: Actor, thing: Thing, key: str) -> bool | None: ...

    def may_see_marker(self, actor: Actor, thing: Thing) -> bool | None: ...

    def learner_sees_user(self, actor: Actor, user: str) -> bool: ...

    def check_body(self, actor: Actor, where: str, body: str) -> None: ...


class Model:
    """What the database holds, as far as visibility goes, and who may see what."""

    def __init__(self, worlds: list[OrgWorld]) -> None:
        self.worlds = worlds
        self.drafts: dict[str, Draft] = {}
        self.enrollments: dict[str, EnrollmentM] = {}
        self.sessions: dict[str, SessionM] = {}
        self.conversations: dict[str, ConversationM] = {}
        self.answers: dict[str, AnswerM] = {}
        self.objects: dict[str, Thing] = {}
        self.markers: dict[str, Thing] = {}
        # A text quoted elsewhere (a member's words in the circle's synthesis, a plan in the
        # presenter's items): each copy is one more place from which it may be read.
        self.copies: dict[str, list[Thing]] = {}
        self.more: list[MoreContent] = []
        self.seeded_banked = [False] * len(worlds)
        self.examples = self.final_checks = self.abandoned = 0
        self.outcomes: Counter[tuple[str, int]] = Counter()  # (endpoint, status) seen
        self.counter = 0
        for org, world in enumerate(worlds):
            self.objects[str(world.id)] = Thing("org", org)
            self.objects[str(world.program_id)] = Thing("program", org)
            for person in world.people:
                self.objects[str(person.id)] = Thing("user", org)
            for learner in world.learners:
                if learner.id not in world.session_ids:  # added for the circles: no session
                    continue
                session_id = str(world.session_ids[learner.id])
                self.sessions[session_id] = SessionM(session_id, org, str(learner.id))
                self.objects[session_id] = Thing("session", org)
                for i, draft_id in enumerate(world.draft_ids[learner.id]):
                    self.add_draft(
                        Draft(
                            str(draft_id),
                            org,
                            str(learner.id),
                            KINDS[i % len(KINDS)],
                            f"Draft {i} {world.canary}{SEEDED_DRAFT_PHRASE}",
                            seeded=True,
                        )
                    )

    # -- bookkeeping

    def new_marker(self) -> str:
        """A unique tag embedded in a text, to recognise that text in any response."""
        self.counter += 1
        return f"[m{self.counter:05d}]"

    def register(self, marker: str, kind: str, org: int, ref: str) -> None:
        self.markers[marker] = Thing(kind, org, ref)

    def copy(self, text: str, kind: str, org: int, ref: str) -> None:
        """The markers of `text` are also readable as `kind` `ref` (where it is quoted)."""
        for marker in MARKER_RE.findall(text):
            self.copies.setdefault(marker, []).append(Thing(kind, org, ref))

    def add_draft(self, draft: Draft) -> None:
        self.drafts[draft.id] = draft
        self.objects[draft.id] = Thing("draft", draft.org)

    def person(self, actor: Actor) -> Person:
        world = self.worlds[actor.org]
        if actor.who.startswith("learner"):
            return world.learners[int(actor.who[-1])]
        person: Person = getattr(world, actor.who)
        return person

    def uid(self, actor: Actor) -> str:
        return str(self.person(actor).id)

    def role(self, actor: Actor) -> Role:
        return self.person(actor).role

    # -- who coaches whom

    def coach_learners(self, org: int, coach: str) -> set[str]:
        """Learners with an active enrollment under this coach (the gate's definition)."""
        return {
            e.learner
            for e in self.enrollments.values()
            if e.org == org and e.coach == coach and e.active
        }

    def learner_coaches(self, org: int, learner: str) -> set[str]:
        return {
            e.coach
            for e in self.enrollments.values()
            if e.org == org and e.learner == learner and e.active
        }

    # -- visibility

    def learner_sees_draft(self, actor: Actor, draft: Draft | None) -> bool:
        return (
            draft is not None
            and self.role(actor) is Role.LEARNER
            and draft.org == actor.org
            and draft.learner == self.uid(actor)
            and draft.state in VISIBLE
            and (draft.due is None or draft.due <= utcnow())
        )

    def coach_sees_draft(self, actor: Actor, draft: Draft | None) -> bool:
        return (
            draft is not None
            and self.role(actor) is Role.COACH
            and draft.org == actor.org
            and draft.learner in self.coach_learners(actor.org, self.uid(actor))
        )

    def coach_sees_learner(self, actor: Actor, org: int, learner: str) -> bool:
        return (
            self.role(actor) is Role.COACH
            and org == actor.org
            and learner in self.coach_learners(actor.org, self.uid(actor))
        )

    def reads_conversation(self, actor: Actor, conversation: ConversationM | None) -> bool:
        if conversation is None or conversation.org != actor.org:
            return False
        role = self.role(actor)
        if role is Role.LEARNER:
            return conversation.learner == self.uid(actor)
        if role is Role.COACH:
            return conversation.shared and self.coach_sees_learner(
                actor, conversation.org, conversation.learner
            )
        return False

    def sees_user(self, actor: Actor, user: str) -> bool:
        thing = self.objects.get(user)
        if thing is None or thing.kind != "user" or thing.org != actor.org:
            return False
        me = self.uid(actor)
        role = self.role(actor)
        if role is Role.LEARNER:
            return user == me or user in self.learner_coaches(actor.org, me)
        if role is Role.COACH:
            return user == me or user in self.coach_learners(actor.org, me)
        return True

    def sees_session(self, actor: Actor, session: SessionM | None) -> bool:
        if session is None or session.org != actor.org:
            return False
        role = self.role(actor)
        if role is Role.LEARNER:
            return session.learner == self.uid(actor)
        if role is Role.COACH:
            return self.coach_sees_learner(actor, session.org, session.learner)
        return False  # admins never read coaching content

    def sees_enrollment(self, actor: Actor, enrollment: EnrollmentM | None) -> bool:
        if enrollment is None or enrollment.org != actor.org:
            return False
        role = self.role(actor)
        if role is Role.LEARNER:
            return enrollment.learner == self.uid(actor)
        if role is Role.COACH:
            return enrollment.coach == self.uid(actor)
        return True

    def may_see_object(  # noqa: PLR0911, PLR0912 (one answer per kind of object)
        self, actor: Actor, thing: Thing, key: str
    ) -> bool:
        """May this id appear in a response to this actor (without the actor having sent it)?"""
        if thing.org != actor.org:
            return False
        role = self.role(actor)
        kind = thing.kind
        if kind in {"org", "program"}:
            return True
        if kind == "user":
            if role is not Role.LEARNER or self.sees_user(actor, key):
                return True
            if any(more.learner_sees_user(actor, key) for more in self.more):
                return True
            # A learner's own enrollments name their coach, an ended one too (their history,
            # in GET /enrollments and the export): the id, not the person's record.
            return any(
                e.learner == self.uid(actor) and e.coach == key for e in self.enrollments.values()
            )
        if kind == "enrollment":
            return self.sees_enrollment(actor, self.enrollments[key])
        if kind == "session":
            return role is Role.ADMIN or self.sees_session(actor, self.sessions[key])
        if kind == "draft":
            draft = self.drafts[key]
            if role is Role.LEARNER:
                return self.learner_sees_draft(actor, draft)
            return role is Role.ADMIN or draft.banked or self.coach_sees_draft(actor, draft)
        if kind in {"conversation", "message"}:
            conversation = self.conversations[key if kind == "conversation" else thing.ref]
            return self.reads_conversation(actor, conversation)
        if kind == "answer":
            answer = self.answers[key]
            if role is Role.LEARNER:
                return answer.learner == self.uid(actor)
            return self.coach_sees_learner(actor, answer.org, answer.learner)
        if kind == "bank":
            return role is not Role.LEARNER
        for more in self.more:
            verdict = more.may_see_object(actor, thing, key)
            if verdict is not None:
                return verdict
        raise AssertionError(f"unknown kind {kind}")

    def may_see_marker(  # noqa: PLR0911 (one answer per kind of text)
        self, actor: Actor, thing: Thing
    ) -> bool:
        """May this piece of text (found by its marker) reach this actor?"""
        if thing.org != actor.org:
            return False
        role = self.role(actor)
        kind = thing.kind
        if kind == "draft_text":
            draft = self.drafts[thing.ref]
            if role is Role.LEARNER:
                return self.learner_sees_draft(actor, draft)
            return draft.banked or self.coach_sees_draft(actor, draft)
        if kind in {"draft_rationale", "draft_replaced"}:
            # The rationale is for the coach; a replaced text is in the review log only.
            return kind == "draft_rationale" and self.coach_sees_draft(
                actor, self.drafts[thing.ref]
            )
        if kind == "session_notes":
            return self.coach_sees_learner(actor, thing.org, self.sessions[thing.ref].learner)
        if kind in {"conversation", "message"}:
            return self.reads_conversation(actor, self.conversations[thing.ref])
        if kind == "answer":
            answer = self.answers[thing.ref]
            if role is Role.LEARNER:
                return answer.learner == self.uid(actor)
            return self.coach_sees_learner(actor, answer.org, answer.learner)
        for more in self.more:
            verdict = more.may_see_marker(actor, thing)
            if verdict is not None:
                return verdict
        raise AssertionError(f"unknown marker kind {kind}")

    def forbidden_phrases(self, actor: Actor) -> list[str]:
        canary = self.worlds[actor.org].canary
        role = self.role(actor)
        if role is Role.COACH:
            return []
        phrases = [f"rationale {canary}", f"notes {canary}"]  # seeded rationales and notes
        if role is Role.ADMIN and not self.seeded_banked[actor.org]:
            phrases.append(SEEDED_DRAFT_PHRASE)  # admins never read suggestions
        return phrases

    # -- the check run on every response

    def check(
        self,
        actor: Actor,
        label: str,
        sent: str,
        response: httpx.Response,
        refused: frozenset[int] = REFUSED,
    ) -> None:
        """Every response: no 5xx, nothing of the other org, nothing the caller may not see.
        `refused`: what naming the other org's ids may answer (a 400 where the id is one of
        several in a body, with the message an unknown id gets)."""
        method, path = label.split(" ")[:2]
        self.outcomes[(f"{method} {UUID_RE.sub('{id}', path)}", response.status_code)] += 1
        where = f"{label} as {actor} -> {response.status_code}"
        assert response.status_code < 500, f"{where}: server error: {response.text[:800]}"
        body = response.text
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        other = self.worlds[1 - actor.org]
        for secret in (other.canary, f"@{other.slug}.example"):
            assert secret not in body, f"{where}: leaks {secret!r} of the other org: {body[:800]}"
            assert secret not in headers, f"{where}: leaks {secret!r} in headers: {headers}"
        # What the caller sent may come back to it (ids in error messages, its own texts).
        echoed = set(UUID_RE.findall(sent.lower()))
        if any(t.org != actor.org for t in map(self.objects.get, echoed) if t is not None):
            self.outcomes[(OTHER_ORG, response.status_code)] += 1
            assert response.status_code in refused, f"{where}: names the other org's ids"
        for found in sorted(set(UUID_RE.findall(body.lower())) - echoed):
            thing = self.objects.get(found)
            if thing is not None and not self.may_see_object(actor, thing, found):
                org = "the OTHER org's" if thing.org != actor.org else "a"
                raise AssertionError(
                    f"{where}: receives {org} {thing.kind} {found} it may not see: {body[:800]}"
                )
        for marker in sorted(set(MARKER_RE.findall(body)) - set(MARKER_RE.findall(sent))):
            thing = self.markers.get(marker)
            assert thing is not None, f"{where}: unknown marker {marker} in {body[:800]}"
            copies = self.copies.get(marker, [])
            assert self.may_see_marker(actor, thing) or any(
                self.may_see_marker(actor, c) for c in copies
            ), (
                f"{where}: receives the text {marker} of {thing.kind} {thing.ref} "
                f"(org {thing.org}) it may not see: {body[:800]}"
            )
        for phrase in self.forbidden_phrases(actor):
            assert phrase not in body, f"{where}: receives {phrase!r}: {body[:800]}"
        for more in self.more:
            more.check_body(actor, where, body)


# ------------------------------------------------------------------------------ the harness


@dataclass
class Harness:
    client: TestClient[Any]
    model: Model
    identities: dict[Actor, As]
    session_maker: Callable[[], AsyncSession]


def build_harness(app: Litestar, client: TestClient[Any], worlds: list[OrgWorld]) -> Harness:
    model = Model(worlds)
    identities: dict[Actor, As] = {}
    for org in range(len(worlds)):
        for who in WHO + EXTRA_LEARNERS[: len(worlds[org].learners) - 2]:
            person = model.person(Actor(org, who, "key"))
            identities[Actor(org, who, "key")] = with_key(client, person)
            identities[Actor(org, who, "session")] = with_session(client, person)
    for org in range(len(worlds)):
        response = identities[Actor(org, "admin", "key")].get(f"{API}/enrollments?limit=200")
        assert response.status_code == 200, response.text
        for item in response.json()["items"]:
            enrollment = EnrollmentM(item["id"], org, item["learner_id"], item["coach_id"])
            model.enrollments[enrollment.id] = enrollment
            model.objects[enrollment.id] = Thing("enrollment", org)
        assert len([e for e in model.enrollments.values() if e.org == org]) == len(
            worlds[org].learners
        )
    config = app.plugins.get(SQLAlchemyPlugin).config[0]
    session_maker = app.state[config.session_maker_app_state_key]
    return Harness(client, model, identities, session_maker)


# ------------------------------------------------------------------------------ the machine


class ApiMachine(RuleBasedStateMachine):
    """What every rule uses: calling the API as an identity (each response checked by the
    model), reading every page of a list, expecting a status, picking a target."""

    harness: ClassVar[Harness]

    def __init__(self) -> None:
        super().__init__()
        self.m = self.harness.model

    # -- calling the API

    def call(
        self,
        actor: Actor,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        refused: frozenset[int] = REFUSED,
    ) -> httpx.Response:
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["json"] = body
        if params:
            kwargs["params"] = params
        response = self.harness.identities[actor].request(method, API + path, **kwargs)
        sent = path + json.dumps(body) + json.dumps(params)
        label = f"{method} {path}" + (f" {json.dumps(body)}" if body is not None else "")
        self.m.check(actor, label, sent, response, refused)
        return response

    def list_all(
        self, actor: Actor, path: str, params: dict[str, Any] | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Every page of a list (the API's default page size: the cursor gets used); (status,
        items)."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query = {**(params or {}), "limit": 50}
            if cursor:
                query["cursor"] = cursor
            response = self.call(actor, "GET", path, params=query)
            if response.status_code != 200:
                return response.status_code, items
            page = response.json()
            items.extend(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                return 200, items

    @staticmethod
    def expect(response: httpx.Response, status: int, actor: Actor, what: str) -> None:
        assert response.status_code == status, (
            f"{what} as {actor}: expected {status}, got {response.status_code}: "
            f"{response.text[:800]}"
        )

    # -- picking targets: the caller's own, the org's, the other org's, or unknown

    def pick(
        self,
        data: st.DataObject,
        actor: Actor,
        ids: list[str],
        mine: list[str],
        related: list[str],
        count: int = 1,
    ) -> list[str]:
        """Ids from the caller's likely targets, its organisation, the other one, or unknown.

        Draws never depend on the model's size (examples share the database), so hypothesis
        replays the same choices the same way: a fixed category, then bounded indices.
        """
        pools = {
            "mine": mine,
            "related": related,
            "own org": [i for i in ids if self.m.objects[i].org == actor.org],
            "other org": [i for i in ids if self.m.objects[i].org != actor.org],
        }
        name = data.draw(st.sampled_from(POOLS), label="pool")
        indices = [data.draw(INDEX, label="index") for _ in range(count)]
        pool = pools.get(name) or pools["related"] or pools["own org"] or pools["other org"]
        if name == UNKNOWN or not pool:
            return [str(uuid4()) for _ in indices]
        return [pool[index % len(pool)] for index in indices]


ORGS = st.integers(0, 1)
ACTORS = st.builds(Actor, org=ORGS, who=st.sampled_from(WHO), via=st.sampled_from(VIAS))
COACHES = st.builds(
    Actor,
    org=ORGS,
    who=st.sampled_from(("coach", "coach", "idle_coach")),
    via=st.sampled_from(VIAS),
)
LEARNERS = st.builds(
    Actor, org=ORGS, who=st.sampled_from(("learner0", "learner1")), via=st.sampled_from(VIAS)
)
# Every rule can be tried by anyone; the role it is meant for comes up more often.
AS_COACH = st.one_of(COACHES, COACHES, ACTORS)
AS_LEARNER = st.one_of(LEARNERS, LEARNERS, ACTORS)
AS_ADMIN = st.one_of(
    st.builds(Actor, org=ORGS, who=st.just("admin"), via=st.sampled_from(VIAS)), ACTORS
)
WHEN = st.sampled_from((None, "past", "future"))
BUSY = st.sampled_from((True, True, False))
AGAIN = st.sampled_from((False, False, True))
COACH_WHO = ("coach", "idle_coach")
LEARNER_WHO = ("learner0", "learner1")
REVIEW = st.sampled_from(("approve", "edit", "edit_same", "reject"))
COACH_USES = st.sampled_from(("read one", "list", "save to bank"))
QUEUE_STATE = st.sampled_from((None, PENDING, APPROVED, DELIVERED, REJECTED))
LEARNER_USES = st.sampled_from(("feed", "item", "item", "export", "coach queue"))
CONVERSATION_USES = st.sampled_from(("start", "start", "post", "share", "read", "read"))


def deliver_at(when: str | None) -> datetime | None:
    if when is None:
        return None
    return utcnow() + (timedelta(days=-1) if when == "past" else timedelta(days=30))
