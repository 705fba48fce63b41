"""Peer circles in the gate property test (tests/integration/test_gate_property.py).

The model of circles, their sessions, what members write and what the agent drafts for the
circle, with who may see what; and the rules that drive them through the API: a coach or an
admin forms a circle, its facilitator starts sessions and moves through the steps (leaving the
situation makes the agent draft clarifying questions, leaving the plan makes the presenter's
plan one of their items, closing drafts the synthesis), members write, the facilitator
approves, edits or rejects the agent's drafts, and anyone reads circles and sessions.

The gate for the circle: an agent draft reaches members once the facilitator approved or
edited it, never before, never when rejected; the facilitator sees every draft; nobody else of
the organisation, and nobody of the other one, sees anything of the circle (404); a session
names the item its presenter's plan became to the presenter only (`item_id`; null for the
members and the facilitator, who could not open it). The agent's
drafts carry no marker of their own (the composer writes them from what members wrote), so the
model keeps each draft's composed text and the check looks for it, as JSON encodes it, in every
response: a caller who may not read that draft may not receive its text, unless a draft with
the very same text is one they may read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from app.db.models.enums import Role
from tests.integration.gate_model import (
    ACTORS,
    AGAIN,
    API,
    APPROVED,
    BUSY,
    EXTRA_LEARNERS,
    INDEX,
    ORGS,
    VIAS,
    Actor,
    ApiMachine,
    Draft,
    Model,
    Thing,
)

PENDING_REVIEW, EDITED_ = "pending_review", "edited"
SHOWN = frozenset({"approved", "edited"})  # access.CIRCLE_VISIBLE_DRAFT_STATES
STEP_KEYS = ("situation", "questions", "request", "suggestions", "plan", "lessons")
BY_PRESENTER = frozenset({"situation", "request", "plan"})
MUST_WRITE = frozenset({"situation", "plan"})  # the facilitator cannot leave them empty
MIN_MEMBERS, MAX_MEMBERS = 4, 8
KINDS = frozenset({"circle", "circle_session", "contribution", "circle_draft"})
TEXTS = frozenset({"circle_name", "contribution", "circle_draft_text", "circle_draft_copy"})
ALL_LEARNERS = ("learner0", "learner1", *EXTRA_LEARNERS)

MEMBERS = st.builds(Actor, org=ORGS, who=st.sampled_from(ALL_LEARNERS), via=st.sampled_from(VIAS))
STAFF = st.builds(
    Actor,
    org=ORGS,
    who=st.sampled_from(("coach", "coach", "admin", "idle_coach")),
    via=st.sampled_from(VIAS),
)
AS_MEMBER = st.one_of(MEMBERS, MEMBERS, ACTORS)
AS_STAFF = st.one_of(STAFF, STAFF, ACTORS)
AS_ANY = st.one_of(MEMBERS, STAFF, ACTORS)
AS_REVIEWER = st.one_of(STAFF, STAFF, MEMBERS)
ANYONE = st.one_of(MEMBERS, ACTORS)
FACILITATOR = st.sampled_from(("caller", "caller", "coach", "admin", "idle_coach", "learner0"))
FOREIGN = st.sampled_from((None, None, None, None, "other org", "unknown", "facilitator"))
DECISION = st.sampled_from(("approve", "approve", "edit", "reject"))
PRESENTER = st.sampled_from((None, None, 0, 1, -1))  # by rotation, a member, not a member
CIRCLE_USES = st.sampled_from(("form", "start", "start", "list", "circle", "session"))


@dataclass
class CircleM:
    id: str
    org: int
    facilitator: str
    members: list[str]
    name: str  # its marker
    sessions: list[str] = field(default_factory=list)


@dataclass
class CircleSessionM:
    id: str
    org: int
    circle: str
    presenter: str
    step: int = 0
    closed: bool = False
    written: set[str] = field(default_factory=set)  # steps someone wrote at
    plan: list[str] = field(default_factory=list)  # the presenter's plan, as written
    item: str = ""  # the presenter's item made from it
    contributions: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)


@dataclass
class CircleDraftM:
    id: str
    org: int
    circle: str
    kind: str
    composed: str  # what the agent wrote
    text: str  # what members read once it is approved (edited: the facilitator's)
    state: str = PENDING_REVIEW


def as_json(text: str) -> str:
    """A text as it appears inside a JSON response."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


class CirclesModel:
    """Circles as far as visibility goes; one of the gate model's `more`."""

    def __init__(self, m: Model) -> None:
        self.m = m
        self.circles: dict[str, CircleM] = {}
        self.sessions: dict[str, CircleSessionM] = {}
        self.contributions: dict[str, str] = {}  # id -> its session
        self.drafts: dict[str, CircleDraftM] = {}
        self.decisions: dict[str, int] = {"approve": 0, "edit": 0, "reject": 0}
        m.more.append(self)

    def actor_of(self, org: int, uid: str, via: str) -> Actor:
        learners = [str(p.id) for p in self.m.worlds[org].learners]
        return Actor(org, f"learner{learners.index(uid)}", via)

    def staff_actor(self, org: int, uid: str, via: str) -> Actor:
        world = self.m.worlds[org]
        who = next(w for w in ("coach", "idle_coach", "admin") if str(getattr(world, w).id) == uid)
        return Actor(org, who, via)

    # -- visibility

    def sees_circle(self, actor: Actor, circle: CircleM | None) -> bool:
        if circle is None or circle.org != actor.org:
            return False
        me = self.m.uid(actor)
        if self.m.role(actor) is Role.LEARNER:
            return me in circle.members
        return circle.facilitator == me

    def facilitates(self, actor: Actor, circle: CircleM | None) -> bool:
        return (
            circle is not None
            and circle.org == actor.org
            and circle.facilitator == self.m.uid(actor)
        )

    def sees_draft(self, actor: Actor, draft: CircleDraftM | None) -> bool:
        if draft is None:
            return False
        circle = self.circles[draft.circle]
        return self.facilitates(actor, circle) or (
            self.sees_circle(actor, circle) and draft.state in SHOWN
        )

    def reads_composed(self, actor: Actor, draft: CircleDraftM) -> bool:
        """The agent's own words: gone once the facilitator edited them."""
        return draft.state != EDITED_ and self.sees_draft(actor, draft)

    def session_circle(self, session_id: str) -> CircleM:
        return self.circles[self.sessions[session_id].circle]

    def learner_sees_user(self, actor: Actor, user: str) -> bool:
        """Members see each other and their facilitator (names, authors, the presenter)."""
        return any(
            user in (*c.members, c.facilitator)
            for c in self.circles.values()
            if self.sees_circle(actor, c)
        )

    def item_shown(self, actor: Actor, session: CircleSessionM) -> str | None:
        """The item the presenter's plan became (`item_id`), as the session names it to this
        reader: to the presenter only. The item is theirs; a member, the facilitator (even
        one who coaches the presenter, and sees it among their learner's items) or an admin
        learns nothing from a circle about which item it is."""
        if session.item and self.m.uid(actor) == session.presenter:
            return session.item
        return None

    def may_see_object(self, actor: Actor, thing: Thing, key: str) -> bool | None:
        if thing.kind not in KINDS:
            return None
        if thing.org != actor.org:
            return False
        if self.m.role(actor) is Role.ADMIN:
            return True  # ids only (the audit log); what a circle says is checked by text
        if thing.kind == "circle":
            return self.sees_circle(actor, self.circles[key])
        if thing.kind == "circle_draft":
            return self.sees_draft(actor, self.drafts[key])
        session = key if thing.kind == "circle_session" else self.contributions[key]
        return self.sees_circle(actor, self.session_circle(session))

    def may_see_marker(self, actor: Actor, thing: Thing) -> bool | None:
        if thing.kind not in TEXTS:
            return None
        if thing.org != actor.org:
            return False
        if thing.kind == "circle_name":
            return self.sees_circle(actor, self.circles[thing.ref])
        if thing.kind == "contribution":
            return self.sees_circle(actor, self.session_circle(self.contributions[thing.ref]))
        draft = self.drafts[thing.ref]
        if thing.kind == "circle_draft_text":  # the facilitator's edit
            return self.sees_draft(actor, draft)
        return self.reads_composed(actor, draft)  # a text the agent quoted

    def check_body(self, actor: Actor, where: str, body: str) -> None:
        """No agent draft's text reaches someone who may not read that draft."""
        readable = {d.composed for d in self.drafts.values() if self.reads_composed(actor, d)} | {
            d.text for d in self.drafts.values() if self.sees_draft(actor, d)
        }
        for draft in self.drafts.values():
            # The same words in a draft the caller reads are no leak (the questions of two
            # sessions can be the same open questions, one set inside a longer one).
            if not any(draft.composed in text for text in readable):
                assert as_json(draft.composed) not in body, (
                    f"{where}: receives the text of the circle draft {draft.id} "
                    f"({draft.kind}, {draft.state}) it may not see: {body[:800]}"
                )

    # -- what each caller's lists hold

    def visible_circles(self, actor: Actor) -> list[str]:
        return sorted(c.id for c in self.circles.values() if self.sees_circle(actor, c))

    def open_session(self, circle: CircleM) -> CircleSessionM | None:
        found = [s for s in map(self.sessions.get, circle.sessions) if s and not s.closed]
        return found[0] if found else None


class CircleRules(ApiMachine):
    """The rules of the circles, mixed into the gate machine."""

    circles: ClassVar[CirclesModel]

    def __init__(self) -> None:
        super().__init__()
        self.touched: set[str] = set()  # circle sessions this example changed

    # -- picking

    def pick_circle(self, data: st.DataObject, actor: Actor, mine: list[str]) -> str:
        circles = list(self.circles.circles.values())
        related = [c.id for c in circles if c.org == actor.org]
        return self.pick(data, actor, [c.id for c in circles], mine, related)[0]

    def pick_session(self, data: st.DataObject, actor: Actor, mine: list[str]) -> str:
        sessions = list(self.circles.sessions.values())
        related = [s.id for s in sessions if s.org == actor.org]
        return self.pick(data, actor, [s.id for s in sessions], mine, related)[0]

    def someone(
        self, data: st.DataObject, actor: Actor, busy: bool, candidates: list[Actor]
    ) -> Actor:
        """If `busy`, one of `candidates` (same via as `actor`), else `actor`; the index is
        always drawn so that draws do not depend on the model's state."""
        index = data.draw(INDEX, label="someone")
        if not busy or not candidates:
            return actor
        return candidates[index % len(candidates)]

    # -- something to work in, whatever the rules draw

    @initialize(data=st.data())
    def circles_to_work_in(self, data: Any) -> None:
        """Each organisation has two circles (formed once, by its coach or its admin), one
        with a session under way (started, if none is, by its facilitator)."""
        c = self.circles
        for org in (0, 1):
            # Every draw is made whatever the model holds: hypothesis replays draws, and the
            # database outlives examples (see ApiMachine.pick).
            who = data.draw(st.sampled_from(("coach", "admin")), label="former")
            former = Actor(org, who, data.draw(st.sampled_from(VIAS), label="via"))
            start, index = data.draw(INDEX, label="members"), data.draw(INDEX, label="circle")
            if sum(x.org == org for x in c.circles.values()) < 2:
                size = 4 + (org + len(c.circles)) % 2
                self.form(former, size, "coach", None, start, "")
            mine = [x for x in c.circles.values() if x.org == org]
            if mine and all(c.open_session(x) is None for x in mine):
                circle = mine[index % len(mine)]
                facilitator = c.staff_actor(org, circle.facilitator, former.via)
                self.start(facilitator, circle.id, {})

    # -- forming

    @rule(actor=ANYONE, what=CIRCLE_USES, busy=BUSY, data=st.data())
    def someone_uses_circles(self, actor: Actor, what: str, busy: bool, data: Any) -> None:
        """Form a circle, start a session, or read circles (any of them, by anyone)."""
        if what == "form":
            size = data.draw(st.sampled_from((4, 4, 5, 3)), label="size")
            facilitator = data.draw(FACILITATOR, label="facilitator")
            self.someone_forms_a_circle(actor, size, facilitator, data.draw(FOREIGN), data)
        elif what == "start":
            self.facilitator_starts_a_session(actor, busy, data.draw(PRESENTER), data)
        else:
            self.someone_reads_circles(actor, what, data)

    def someone_forms_a_circle(
        self, actor: Actor, size: int, facilitator: str, foreign: str | None, data: Any
    ) -> None:
        """A coach (of their learners) or an admin (any learner) forms a circle of 4 to 8
        with a facilitator; 3 members, a learner or a person of the other org: refused."""
        start = data.draw(INDEX, label="members")
        unknown = str(data.draw(st.uuids(), label="unknown"))
        self.form(actor, size, facilitator, foreign, start, unknown)

    def form(
        self,
        actor: Actor,
        size: int,
        facilitator: str,
        foreign: str | None,
        start: int,
        unknown: str,
    ) -> None:
        world = self.m.worlds[actor.org]
        learners = [str(p.id) for p in world.learners]
        members = [learners[(start + i) % len(learners)] for i in range(size)]
        other = self.m.worlds[1 - actor.org]
        if foreign == "other org":
            members[-1] = str(other.learners[start % len(other.learners)].id)
        elif foreign == "unknown":
            members[-1] = unknown
        body: dict[str, Any] = {"name": "", "member_ids": members}
        if foreign == "facilitator":
            body["facilitator_id"] = str(other.coach.id)
        elif facilitator != "caller":
            person = getattr(world, facilitator, None) or world.learners[0]
            body["facilitator_id"] = str(person.id)
        facilitator_id = body.get("facilitator_id", self.m.uid(actor))
        thing = self.m.objects.get(facilitator_id)
        role = self.m.role(actor)
        eligible = set(learners)
        if role is Role.COACH:
            eligible = self.m.coach_learners(actor.org, self.m.uid(actor))
        staff = {str(p.id) for p in (world.admin, world.coach, world.idle_coach)}
        if role is Role.LEARNER:
            expected = 403
        elif (
            not MIN_MEMBERS <= len(set(members)) <= MAX_MEMBERS
            or thing is None
            or thing.org != actor.org
            or facilitator_id not in staff
            or not set(members) <= eligible
        ):
            expected = 400
        else:
            expected = 201
        marker = self.m.new_marker()
        body["name"] = f"Circle {marker} {world.canary}"
        response = self.call(actor, "POST", "/circles", body, refused=frozenset({400, 403}))
        self.expect(response, expected, actor, f"form a circle of {members}")
        if expected != 201:
            return
        got = response.json()
        assert [m["id"] for m in got["members"]] == members, got
        assert got["facilitator_id"] == facilitator_id, got
        circle = CircleM(got["id"], actor.org, facilitator_id, members, marker)
        self.circles.circles[circle.id] = circle
        self.m.objects[circle.id] = Thing("circle", actor.org)
        self.m.register(marker, "circle_name", actor.org, circle.id)

    # -- sessions

    def facilitator_starts_a_session(
        self, actor: Actor, busy: bool, presenter: int | None, data: Any
    ) -> None:
        """With a presenter (a member; -1: someone not a member), or by rotation."""
        c = self.circles
        idle = [x for x in c.circles.values() if c.open_session(x) is None]
        actor = self.someone(
            data, actor, busy, [c.staff_actor(x.org, x.facilitator, actor.via) for x in idle]
        )
        mine = [x.id for x in idle if c.facilitates(actor, x)]
        circle_id = self.pick_circle(data, actor, mine)
        unknown = str(data.draw(st.uuids(), label="outsider"))
        circle = c.circles.get(circle_id)
        body: dict[str, Any] = {}
        if presenter is not None and circle is not None:
            outsiders = [
                str(p.id)
                for p in self.m.worlds[circle.org].learners
                if str(p.id) not in circle.members
            ]
            body["presenter_id"] = (
                circle.members[presenter % len(circle.members)]
                if presenter >= 0
                else (outsiders or [unknown])[0]
            )
        if not c.sees_circle(actor, circle):
            expected = 404
        elif not c.facilitates(actor, circle):
            expected = 403
        elif c.open_session(circle) is not None:  # type: ignore[arg-type]
            expected = 409
        elif body.get("presenter_id", circle.members[0]) not in circle.members:  # type: ignore[union-attr]
            expected = 400
        else:
            expected = 201
        self.start(actor, circle_id, body, expected)

    def start(
        self, actor: Actor, circle_id: str, body: dict[str, Any], expected: int = 201
    ) -> None:
        c = self.circles
        circle = c.circles.get(circle_id)
        response = self.call(actor, "POST", f"/circles/{circle_id}/sessions", body)
        self.expect(response, expected, actor, f"start a session of {circle_id}")
        if expected != 201:
            return
        assert circle is not None
        got = response.json()
        presented = {
            m: sum(1 for s in circle.sessions if c.sessions[s].presenter == m)
            for m in circle.members
        }
        chosen = got["presenter_id"]
        assert chosen == body.get("presenter_id", chosen), got
        assert chosen in circle.members, got
        rotated = "presenter_id" in body or presented[chosen] == min(presented.values())
        assert rotated, f"the presenter did not rotate: {chosen} after {presented}"
        assert (got["step"], got["drafts"], got["contributions"]) == ("situation", [], [])
        session = CircleSessionM(got["id"], circle.org, circle.id, chosen)
        c.sessions[session.id] = session
        circle.sessions.append(session.id)
        self.m.objects[session.id] = Thing("circle_session", circle.org)
        self.touched.add(session.id)

    def writes_here(self, session: CircleSessionM, uid: str) -> bool:
        step = STEP_KEYS[session.step]
        presenting = uid == session.presenter
        if step in BY_PRESENTER:
            return presenting
        return not presenting or step == "lessons"

    @rule(actor=AS_ANY, busy=BUSY, write=st.booleans(), data=st.data())
    def circle_moves_on(self, actor: Actor, busy: bool, write: bool, data: Any) -> None:
        """Someone writes at the step under way, or the facilitator moves to the next one.
        `busy`: in an open session, whoever's turn it is (a writer the step needs, or the
        facilitator once the step may be left); else `actor` tries, rightly or not."""
        c = self.circles
        index = data.draw(INDEX, label="session")
        sessions = [s for s in c.sessions.values() if not s.closed]
        learner = self.m.role(actor) is Role.LEARNER
        mine = [
            s.id
            for s in sessions
            if c.sees_circle(actor, c.circles[s.circle])
            and (
                self.writes_here(s, self.m.uid(actor))
                if write and learner
                else c.facilitates(actor, c.circles[s.circle])
            )
        ]
        session_id = self.pick_session(data, actor, mine)  # drawn whatever `busy` says
        if busy and sessions:
            session = sessions[index % len(sessions)]
            circle = c.circles[session.circle]
            if write or not self.may_leave(session):
                writers = [m for m in circle.members if self.writes_here(session, m)]
                writer = writers[index % len(writers)]
                self.member_writes(c.actor_of(session.org, writer, actor.via), session.id)
            else:
                facilitator = c.staff_actor(session.org, circle.facilitator, actor.via)
                self.facilitator_advances(facilitator, session.id)
        elif write:
            self.member_writes(actor, session_id)
        else:
            self.facilitator_advances(actor, session_id)

    def member_writes(self, actor: Actor, session_id: str) -> None:
        """At the step under way: the presenter, or the others (everyone at the lessons)."""
        c = self.circles
        role = self.m.role(actor)
        session = c.sessions.get(session_id)
        if role is not Role.LEARNER:
            expected = 403
        elif session is None or not c.sees_circle(actor, c.circles[session.circle]):
            expected = 404
        elif session.closed or not self.writes_here(session, self.m.uid(actor)):
            expected = 409
        else:
            expected = 201
        marker = self.m.new_marker()
        step = STEP_KEYS[session.step] if session else "text"
        body = {"text": f"My {step} {marker} {self.m.worlds[actor.org].canary}"}
        path = f"/circle-sessions/{session_id}/contributions"
        response = self.call(actor, "POST", path, body)
        self.expect(response, expected, actor, f"write in {session_id}")
        if expected != 201:
            return
        assert session is not None
        got = response.json()["contribution"]
        assert (got["step"], got["text"], got["safety_tier"]) == (step, body["text"], None), got
        c.contributions[got["id"]] = session.id
        session.contributions.append(got["id"])
        session.written.add(step)
        if step == "plan":
            session.plan.append(body["text"])
        self.m.objects[got["id"]] = Thing("contribution", session.org)
        self.m.register(marker, "contribution", session.org, got["id"])
        self.touched.add(session.id)

    def facilitator_advances(self, actor: Actor, session_id: str) -> None:
        """The next step: the agent drafts on the way, the plan becomes an item."""
        c = self.circles
        session = c.sessions.get(session_id)
        circle = c.circles[session.circle] if session else None
        if not c.sees_circle(actor, circle):
            expected = 404
        elif not c.facilitates(actor, circle):
            expected = 403
        elif session is None or session.closed or not self.may_leave(session):
            expected = 409
        else:
            expected = 201
        # The answer holds the drafts this call made: the model learns them first, then checks.
        path = f"/circle-sessions/{session_id}/advance"
        response = self.harness.identities[actor].request("POST", API + path)
        if response.status_code == expected == 201:
            assert session is not None
            assert circle is not None
            self.advanced(session, circle, response.json())
        self.m.check(actor, f"POST {path}", path, response)
        self.expect(response, expected, actor, f"advance {session_id}")

    @staticmethod
    def may_leave(session: CircleSessionM) -> bool:
        step = STEP_KEYS[session.step]
        return step not in MUST_WRITE or step in session.written

    def advanced(self, session: CircleSessionM, circle: CircleM, got: dict[str, Any]) -> None:
        c = self.circles
        left = STEP_KEYS[session.step]
        new = [d for d in got["drafts"] if d["id"] not in c.drafts]
        assert [d["kind"] for d in new] == {
            "situation": ["questions"],
            "lessons": ["synthesis"],
        }.get(left, []), f"leaving {left}, the agent drafted {new}"
        for d in new:
            assert d["state"] == PENDING_REVIEW, f"an agent draft for the circle was {d['state']}"
            draft = CircleDraftM(d["id"], session.org, circle.id, d["kind"], d["text"], d["text"])
            c.drafts[draft.id] = draft
            session.drafts.append(draft.id)
            self.m.objects[draft.id] = Thing("circle_draft", session.org)
            self.m.copy(draft.text, "circle_draft_copy", session.org, draft.id)
            self.m.outcomes[("the agent drafts for a circle", 201)] += 1
        assert got["item_id"] is None, f"the facilitator learns the presenter's item: {got}"
        if left == "plan":  # the presenter's plan, one of their own items (no coach review)
            self.learn_item(session, circle)
        if left == "lessons":
            session.closed = True
            assert got["step"] == "closed", got
            assert got["closed_at"], got
        else:
            session.step += 1
            assert got["step"] == STEP_KEYS[session.step], got
        self.touched.add(session.id)
        if new:  # a member reads the session at once: the draft waits for the facilitator
            self.read_session(c.actor_of(circle.org, circle.members[-1], "key"), session.id)

    def learn_item(self, session: CircleSessionM, circle: CircleM) -> None:
        """The item the plan became, learnt as its presenter reads the session (the only one
        told which it is), before that reading is checked like any other."""
        presenter = self.circles.actor_of(circle.org, session.presenter, "key")
        path = f"/circle-sessions/{session.id}"
        response = self.harness.identities[presenter].request("GET", API + path)
        self.expect(response, 200, presenter, f"circle session {session.id}")
        item = response.json()["item_id"]
        assert item, response.text
        session.item = item
        text = "\n".join(session.plan)
        self.m.add_draft(Draft(item, session.org, session.presenter, "micro_action", text))
        self.m.drafts[item].state = APPROVED
        self.m.copy(text, "draft_text", session.org, item)
        self.m.copy(circle.name, "draft_rationale", session.org, item)  # names the circle
        self.m.check(presenter, f"GET {path}", path, response)

    # -- the facilitator's gate

    @rule(actor=AS_REVIEWER, busy=BUSY, decision=DECISION, again=AGAIN, data=st.data())
    def facilitator_reviews(
        self, actor: Actor, busy: bool, decision: str, again: bool, data: Any
    ) -> None:
        """Approve, edit or reject an agent draft; `again`: mostly one already reviewed."""
        c = self.circles
        if busy:  # a facilitator at work takes each decision in turn (every run sees all three)
            decision = ("approve", "reject", "edit")[sum(c.decisions.values()) % 3]
        pending = [d for d in c.drafts.values() if d.state == PENDING_REVIEW]
        actor = self.someone(
            data,
            actor,
            busy,
            [c.staff_actor(d.org, c.circles[d.circle].facilitator, actor.via) for d in pending],
        )
        related = [d for d in c.drafts.values() if c.sees_draft(actor, d)]
        mine = [d.id for d in related if (d.state != PENDING_REVIEW) == again]
        ids = list(c.drafts)
        draft_id = self.pick(data, actor, ids, mine, [d.id for d in related])[0]
        draft = c.drafts.get(draft_id)
        if not c.sees_draft(actor, draft):
            expected = 404
        elif not c.facilitates(actor, c.circles[draft.circle]):  # type: ignore[union-attr]
            expected = 403
        elif draft.state != PENDING_REVIEW:  # type: ignore[union-attr]
            expected = 409
        else:
            expected = 201
        marker = self.m.new_marker()
        canary = self.m.worlds[actor.org].canary
        body = {
            "approve": {"decision": "approve"},
            "edit": {"decision": "edit", "text": f"Edited for the circle {marker} {canary}"},
            "reject": {"decision": "reject", "reason": f"not for the circle {canary}"},
        }[decision]
        response = self.call(actor, "POST", f"/circle-drafts/{draft_id}/review", body)
        self.expect(response, expected, actor, f"{decision} circle draft {draft_id}")
        if expected != 201:
            return
        assert draft is not None
        draft.state = {"approve": "approved", "edit": EDITED_, "reject": "rejected"}[decision]
        if decision == "edit":
            draft.text = body["text"]
            self.m.register(marker, "circle_draft_text", draft.org, draft.id)
        got = response.json()
        assert (got["state"], got["text"]) == (draft.state, draft.text), got
        c.decisions[decision] += 1
        if draft.state in SHOWN:  # a member now reads it, and may still not review it
            member = c.actor_of(draft.org, c.circles[draft.circle].members[0], actor.via)
            again_ = self.call(member, "POST", f"/circle-drafts/{draft_id}/review", body)
            self.expect(again_, 403, member, f"a member reviews {draft_id}")
        session = next(s for s in c.sessions.values() if draft.id in s.drafts)
        self.touched.add(session.id)

    # -- reading

    def someone_reads_circles(self, actor: Actor, what: str, data: Any) -> None:
        """My circles; one circle; one session (its drafts exactly what the gate lets out)."""
        c = self.circles
        if what == "list":
            response = self.call(actor, "GET", "/circles")
            self.expect(response, 200, actor, "my circles")
            got = sorted(x["id"] for x in response.json())
            assert got == c.visible_circles(actor), f"circles of {actor}"
        elif what == "circle":
            circle_id = self.pick_circle(data, actor, c.visible_circles(actor))
            self.read_circle(actor, circle_id)
        else:
            mine = [s.id for s in c.sessions.values() if c.sees_circle(actor, c.circles[s.circle])]
            self.read_session(actor, self.pick_session(data, actor, mine))

    def read_circle(self, actor: Actor, circle_id: str) -> None:
        c = self.circles
        circle = c.circles.get(circle_id)
        expected = 200 if c.sees_circle(actor, circle) else 404
        response = self.call(actor, "GET", f"/circles/{circle_id}")
        self.expect(response, expected, actor, f"circle {circle_id}")
        if expected == 200:
            assert circle is not None
            got = response.json()
            assert [m["id"] for m in got["members"]] == circle.members
            assert sorted(got["session_ids"]) == sorted(circle.sessions)
            opened = c.open_session(circle)
            assert got["open_session_id"] == (opened.id if opened else None), got

    def read_session(self, actor: Actor, session_id: str) -> None:
        """Exactly the drafts the actor may read, with the text the gate let out."""
        c = self.circles
        session = c.sessions.get(session_id)
        circle = c.circles[session.circle] if session else None
        expected = 200 if c.sees_circle(actor, circle) else 404
        response = self.call(actor, "GET", f"/circle-sessions/{session_id}")
        self.expect(response, expected, actor, f"circle session {session_id}")
        if expected != 200:
            return
        assert session is not None
        got = response.json()
        drafts = {d["id"]: (d["state"], d["text"]) for d in got["drafts"]}
        visible = [c.drafts[d] for d in session.drafts if c.sees_draft(actor, c.drafts[d])]
        assert drafts == {d.id: (d.state, d.text) for d in visible}, (
            f"the drafts of {session_id} as {actor}: {drafts}"
        )
        assert [x["id"] for x in got["contributions"]] == session.contributions
        assert got["step"] == ("closed" if session.closed else STEP_KEYS[session.step])
        assert got["item_id"] == c.item_shown(actor, session), (
            f"the item of {session_id} as {actor}: {got['item_id']}"
        )
        if self.m.role(actor) is Role.LEARNER and len(visible) < len(session.drafts):
            self.m.outcomes[("a member is kept from a draft", 200)] += 1

    def circle_final_checks(self) -> None:
        """At the end of an example: each session it changed, as every member and the
        facilitator read it, and as another learner of the organisation (404)."""
        c = self.circles
        for session_id in sorted(self.touched):
            session = c.sessions[session_id]
            circle = c.circles[session.circle]
            readers = [c.actor_of(circle.org, m, "key") for m in circle.members]
            readers.append(c.staff_actor(circle.org, circle.facilitator, "key"))
            outsiders = [
                str(p.id)
                for p in self.m.worlds[circle.org].learners
                if str(p.id) not in circle.members
            ]
            readers += [c.actor_of(circle.org, o, "session") for o in outsiders]
            readers.append(Actor(1 - circle.org, "learner0", "key"))
            for reader in readers:
                self.read_session(reader, session_id)
