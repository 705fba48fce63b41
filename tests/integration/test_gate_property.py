"""Property test: the approval gate and tenant isolation hold under random API traffic.

A hypothesis state machine drives every identity of the two seeded organisations (admin, coach,
idle coach, two learners; each by API key and by browser session) through random sequences of
calls, while an agent drafts new items through the domain service, inside the app's own event
loop and database. A model of every object (organisation, owner, review state, due date, who
coaches whom) predicts the exact status of every call, and every response is scanned for what
its caller may not receive:

- the other organisation's canary string, email domain or any of its known ids (unless the
  caller sent that id itself); naming the other organisation's objects answers exactly 404
  (403 only where the caller's role may not use the endpoint at all: that check comes first
  and says nothing about the id);
- for learners: any suggestion that is not approved/edited/delivered and due, or not theirs
  (by id, and by the unique marker embedded in every text), a rationale, a text a coach
  replaced, a coach's session notes, another learner's conversations or answers;
- for admins: any suggestion, conversation or answer content;
- in peer circles (five learners in each organisation, circles of four or five): an agent
  draft the facilitator has not approved or edited, for members (by id and by its text), and
  anything of a circle for anyone but its members and facilitator, and the id of the item a
  presenter's plan became for anyone but that presenter;
- for companions: who they are and their address, for anyone but the learner; an answer the
  learner did not share, for the coach; on the companion's page, anything beyond the learner's
  first name, the goal and that companion's open questions;
- a 5xx, for anyone.

The database is not reset between examples. The model lives as long as the database (one
test), is keyed on ids and is updated from the responses, so it stays exact across examples;
each example starts with fresh agent drafts in both organisations.

The model, the harness and the strategies are in tests/integration/gate_model.py; the circles'
and the companions' models and rules in gate_circles.py and gate_companions.py (mixed into the
machine); this module is the machine: its rules, the calls they make, and the checks at the end
of every example.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    rule,
    run_state_machine_as_test,
)
from litestar import Litestar
from litestar.testing import TestClient

from app.db.models import CoachingSession
from app.db.models.enums import Role, SuggestionKind
from app.domain.suggestions.schemas import DraftItem
from app.domain.suggestions.services import create_drafts
from app.lib.clock import utcnow
from app.settings import Settings
from tests.integration.gate_circles import CircleRules, CirclesModel
from tests.integration.gate_companions import CompanionRules, CompanionsModel
from tests.integration.gate_model import (
    ACTORS,
    AGAIN,
    APPROVED,
    AS_ADMIN,
    AS_COACH,
    AS_LEARNER,
    BUSY,
    COACH_USES,
    COACH_WHO,
    CONVERSATION_USES,
    DELIVERED,
    EDITED,
    EXTRA_LEARNERS,
    INDEX,
    KINDS,
    LEARNER_USES,
    LEARNER_WHO,
    LEARNERS,
    MARKER_RE,
    MORE_MUST_SEE,
    MUST_SEE,
    ORGS,
    PENDING,
    QUESTION_KINDS,
    QUEUE_STATE,
    REJECTED,
    REVIEW,
    STEPS,
    VISIBLE,
    WHEN,
    Actor,
    AnswerM,
    ConversationM,
    Draft,
    SessionM,
    Thing,
    build_harness,
    deliver_at,
)
from tests.support import OrgWorld, add_learners, build_worlds

pytestmark = pytest.mark.slow


@pytest.fixture
def worlds(settings: Settings) -> list[OrgWorld]:
    """The two organisations, with five learners each: a peer circle needs four or more."""
    built = build_worlds(settings, "alpha", "beta")
    for world in built:
        add_learners(settings, world, len(EXTRA_LEARNERS))
    return built


class GateMachine(CircleRules, CompanionRules):
    def __init__(self) -> None:
        super().__init__()
        self.new_drafts: list[str] = []  # drafted during this example
        self.m.examples += 1

    def busy(self, data: st.DataObject, actor: Actor, busy: bool, who: tuple[str, ...]) -> Actor:
        """If `busy`: someone (of `who`, either org) with something to do, else `actor`.

        A coach has drafts of active learners to review; a learner has items in their feed.
        The index is always drawn, so that the draws do not depend on the model's state.
        """
        index = data.draw(INDEX, label="busy")
        candidates = [
            candidate
            for candidate in (Actor(org, w, actor.via) for org in (0, 1) for w in who)
            if any(
                self.m.coach_sees_draft(candidate, d) or self.m.learner_sees_draft(candidate, d)
                for d in self.m.drafts.values()
            )
        ]
        return candidates[index % len(candidates)] if busy and candidates else actor

    def pick_drafts(
        self, data: st.DataObject, actor: Actor, count: int = 1, reviewed: bool = False
    ) -> list[str]:
        """Coaches: mostly their learners' pending (or already reviewed) drafts; learners: mostly
        their visible items; else any draft of either organisation, or an unknown id."""
        drafts = list(self.m.drafts.values())
        if self.m.role(actor) is Role.LEARNER:
            related = [d for d in drafts if d.org == actor.org and d.learner == self.m.uid(actor)]
            mine = [d.id for d in related if self.m.learner_sees_draft(actor, d)]
        else:
            related = [d for d in drafts if self.m.coach_sees_draft(actor, d)]
            mine = [
                d.id for d in related if (d.state in VISIBLE if reviewed else d.state == PENDING)
            ]
        return self.pick(data, actor, [d.id for d in drafts], mine, [d.id for d in related], count)

    def pick_draft(self, data: st.DataObject, actor: Actor, reviewed: bool = False) -> str:
        return self.pick_drafts(data, actor, 1, reviewed)[0]

    def pick_conversation(self, data: st.DataObject, actor: Actor) -> str:
        conversations = list(self.m.conversations.values())
        mine = [c.id for c in conversations if self.m.reads_conversation(actor, c)]
        related = [c.id for c in conversations if c.org == actor.org]
        return self.pick(data, actor, [c.id for c in conversations], mine, related)[0]

    def draft_status(self, actor: Actor, draft_id: str) -> int:
        """The learner's feed: learners only; 404 for what is not approved, due and theirs."""
        if self.m.role(actor) is not Role.LEARNER:
            return 403
        return 200 if self.m.learner_sees_draft(actor, self.m.drafts.get(draft_id)) else 404

    def review_status(self, actor: Actor, ids: list[str]) -> int:
        """The coach's queue: coaches only; 404 unless their learner's; 409 unless pending."""
        if self.m.role(actor) is not Role.COACH:
            return 403
        drafts = [self.m.drafts.get(i) for i in ids]
        if not all(self.m.coach_sees_draft(actor, d) for d in drafts):
            return 404
        return 200 if all(d is not None and d.state == PENDING for d in drafts) else 409

    def delivered(self, draft_id: str) -> None:
        draft = self.m.drafts[draft_id]
        if draft.state in {APPROVED, EDITED}:
            draft.state = DELIVERED

    def check_item(self, actor: Actor, item: dict[str, Any]) -> None:
        """A suggestion as its reader receives it matches the model."""
        draft = self.m.drafts[item["id"]]
        assert item["text"] == draft.text, f"{actor}: text of {draft.id} differs from the model"
        assert item["kind"] == draft.kind
        if "state" in item:
            assert item["state"] == draft.state, f"{actor}: state of {draft.id}: {item}"
            assert item["learner_id"] == draft.learner
        else:
            assert "rationale" not in item, f"{actor}: a learner got a rationale: {item}"

    # -- agents draft

    def agent_drafts(self, org: int, learner_index: int, kinds: list[str]) -> None:
        """An agent drafts for a learner: the domain service, in the app's loop and database."""
        world = self.m.worlds[org]
        learner = str(world.learners[learner_index].id)
        session_id = [s.id for s in self.m.sessions.values() if s.learner == learner][-1]
        markers = [(self.m.new_marker(), self.m.new_marker()) for _ in kinds]
        items = [
            DraftItem(
                kind=SuggestionKind(kind),
                text=f"Agent draft {text} {world.canary}",
                rationale=f"why {why} {world.canary}",
                citations=[{"chunk_id": f"chunk-{world.canary}", "title": world.canary}],
                skill="feedback",
            )
            for kind, (text, why) in zip(kinds, markers, strict=True)
        ]

        async def work() -> list[tuple[str, str]]:
            async with self.harness.session_maker() as db, db.begin():
                session = await db.get(CoachingSession, UUID(session_id))
                assert session is not None
                drafts = await create_drafts(db, session=session, items=items)
                return [(str(d.id), d.state.value) for d in drafts]

        created = self.harness.client.blocking_portal.call(work)
        for (draft_id, state), item, (text, why) in zip(created, items, markers, strict=True):
            assert state == PENDING, f"an agent draft was created as {state}"
            self.m.add_draft(Draft(draft_id, org, learner, item.kind.value, item.text))
            self.new_drafts.append(draft_id)
            self.m.register(text, "draft_text", org, draft_id)
            self.m.register(why, "draft_rationale", org, draft_id)

    @initialize(data=st.data())
    def fresh_drafts(self, data: st.DataObject) -> None:
        for org in (0, 1):
            learner = data.draw(st.integers(0, 1), label="learner")
            kinds = data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3))
            self.agent_drafts(org, learner, kinds)

    @rule(
        org=ORGS,
        learner=st.integers(0, 1),
        kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=3),
    )
    def agent_drafts_more(self, org: int, learner: int, kinds: list[str]) -> None:
        self.agent_drafts(org, learner, kinds)

    # -- coaches review

    @rule(actor=AS_COACH, busy=BUSY, action=REVIEW, again=AGAIN, when=WHEN, data=st.data())
    def coach_reviews(
        self, actor: Actor, busy: bool, action: str, again: bool, when: str | None, data: Any
    ) -> None:
        """Approve, edit (keeping the text is an approval) or reject one draft. `busy`: as a
        coach who has drafts to review; `again`: mostly a draft already reviewed (409)."""
        self.review_one(self.busy(data, actor, busy, COACH_WHO), action, again, when, data)

    def review_one(
        self, actor: Actor, action: str, again: bool, when: str | None, data: Any
    ) -> None:
        draft_id = self.pick_draft(data, actor, reviewed=again)
        draft = self.m.drafts.get(draft_id)
        expected = self.review_status(actor, [draft_id])
        due = deliver_at(when)
        stamp = {"deliver_at": due.isoformat()} if due else {}
        canary = self.m.worlds[actor.org].canary
        new_text = draft.text if draft else "Same text"
        edit_marker = self.m.new_marker()
        if action == "edit":
            new_text = f"Edited {edit_marker} {canary}"
        if action == "approve":
            response = self.call(actor, "POST", f"/suggestions/{draft_id}/approve", stamp)
        elif action == "reject":
            body = {"reason": f"not now {canary}"}
            response = self.call(actor, "POST", f"/suggestions/{draft_id}/reject", body)
        else:
            body = {"text": new_text, **stamp}
            response = self.call(actor, "POST", f"/suggestions/{draft_id}/edit", body)
        self.expect(response, expected, actor, f"{action} {draft_id}")
        if expected != 200:
            return
        assert draft is not None
        state = {"approve": APPROVED, "edit": EDITED, "edit_same": APPROVED, "reject": REJECTED}
        if action == "edit":
            for marker in MARKER_RE.findall(draft.text):
                self.m.markers[marker].kind = "draft_replaced"
            draft.text = new_text
            self.m.register(edit_marker, "draft_text", actor.org, draft_id)
        draft.state = state[action]
        draft.due = due if action != "reject" else None
        self.check_item(actor, response.json())

    @rule(
        actor=AS_COACH,
        busy=BUSY,
        decision=st.sampled_from(("approve", "reject")),
        count=st.integers(1, 4),
        intruder=st.booleans(),
        when=WHEN,
        data=st.data(),
    )
    def coach_reviews_batch(
        self,
        actor: Actor,
        busy: bool,
        decision: str,
        count: int,
        intruder: bool,
        when: str | None,
        data: Any,
    ) -> None:
        actor = self.busy(data, actor, busy, COACH_WHO)
        ids = self.pick_drafts(data, actor, count)
        if intruder:  # one id from anywhere: the whole batch must then fail, or not
            ids.append(self.pick_draft(data, actor))
        expected = self.review_status(actor, ids)
        due = deliver_at(when)
        body: dict[str, Any] = {"ids": ids, "decision": decision, "reason": "batch"}
        if due:
            body["deliver_at"] = due.isoformat()
        response = self.call(actor, "POST", "/suggestions/batch", body)
        self.expect(response, expected, actor, f"batch {decision}")
        if expected != 200:
            return
        unique = list(dict.fromkeys(ids))
        items = response.json()["items"]
        assert [i["id"] for i in items] == unique
        for item in items:
            draft = self.m.drafts[item["id"]]
            draft.state = APPROVED if decision == "approve" else REJECTED
            draft.due = due if decision == "approve" else None
            self.check_item(actor, item)

    @rule(actor=AS_COACH, busy=BUSY, what=COACH_USES, state=QUEUE_STATE, data=st.data())
    def coach_uses_queue(
        self, actor: Actor, busy: bool, what: str, state: str | None, data: Any
    ) -> None:
        """Read one suggestion and its answers, list the queue, or save a question to the bank."""
        actor = self.busy(data, actor, busy, COACH_WHO)
        if what == "read one":
            self.coach_reads_suggestion(actor, data)
        elif what == "list":
            self.coach_reads_queue(actor, state)
        else:
            self.coach_saves_to_bank(actor, data)

    def coach_reads_suggestion(self, actor: Actor, data: Any) -> None:
        draft_id = self.pick_draft(data, actor, reviewed=True)
        expected = self.review_status(actor, [draft_id])
        expected = 200 if expected == 409 else expected
        response = self.call(actor, "GET", f"/suggestions/{draft_id}")
        self.expect(response, expected, actor, f"read suggestion {draft_id}")
        answers = self.call(actor, "GET", f"/suggestions/{draft_id}/answers")
        self.expect(answers, expected, actor, f"answers of {draft_id}")
        if expected == 200:
            self.check_item(actor, response.json())
            got = sorted(a["id"] for a in answers.json())
            assert got == sorted(self.m.drafts[draft_id].answers), f"answers of {draft_id}"

    def coach_reads_queue(self, actor: Actor, state: str | None) -> None:
        status, items = self.list_all(actor, "/suggestions", {"state": state} if state else None)
        if self.m.role(actor) is not Role.COACH:
            assert status == 403, f"{actor} reads the coach queue: {status}"
            return
        assert status == 200
        expected = [
            d.id
            for d in self.m.drafts.values()
            if self.m.coach_sees_draft(actor, d) and (state is None or d.state == state)
        ]
        assert sorted(i["id"] for i in items) == sorted(expected), f"queue of {actor}"
        for item in items:
            self.check_item(actor, item)

    def coach_saves_to_bank(self, actor: Actor, data: Any) -> None:
        draft_id = self.pick_draft(data, actor, reviewed=True)
        draft = self.m.drafts.get(draft_id)
        expected = self.review_status(actor, [draft_id])
        if expected in {200, 409}:
            assert draft is not None
            if draft.state not in VISIBLE:
                expected = 409
            else:
                expected = 201 if draft.kind in QUESTION_KINDS else 400
        response = self.call(actor, "POST", f"/suggestions/{draft_id}/save-to-bank", {})
        self.expect(response, expected, actor, f"save {draft_id} to the bank")
        if expected == 201:
            assert draft is not None
            entry = response.json()
            assert entry["text"] == draft.text
            self.m.objects[entry["id"]] = Thing("bank", actor.org)
            draft.banked = True
            if draft.seeded:
                self.m.seeded_banked[actor.org] = True

    # -- learners read and answer

    @rule(actor=AS_LEARNER, busy=BUSY, what=LEARNER_USES, data=st.data())
    def learner_uses_feed(self, actor: Actor, busy: bool, what: str, data: Any) -> None:
        """Read the feed; read, answer and list the answers of one item; export my data; or
        try the coach's queue. `busy`: as a learner who has items in their feed right now."""
        actor = self.busy(data, actor, busy, LEARNER_WHO)
        if what == "feed":
            self.learner_reads_feed(actor)
        elif what == "item":
            self.learner_uses_item(actor, data)
        elif what == "export":
            self.learner_exports(actor)
        else:
            self.coach_reads_queue(actor, None)  # 403 to anyone but a coach
            self.coach_reads_suggestion(actor, data)

    def learner_reads_feed(self, actor: Actor) -> None:
        status, items = self.list_all(actor, "/feed")
        if self.m.role(actor) is not Role.LEARNER:
            assert status == 403, f"{actor} reads a feed: {status}"
            return
        assert status == 200
        expected = [d.id for d in self.m.drafts.values() if self.m.learner_sees_draft(actor, d)]
        got = [i["id"] for i in items]
        assert sorted(got) == sorted(expected), f"feed of {actor}: {got} != {expected}"
        for item in items:
            self.check_item(actor, item)
            assert item["delivered_at"] is not None, f"feed item not marked delivered: {item}"
            self.delivered(item["id"])

    def learner_exports(self, actor: Actor) -> None:
        """The export is one more way for a learner to read items: the same gate holds."""
        response = self.call(actor, "GET", "/me/export")
        if self.m.role(actor) is not Role.LEARNER:
            self.expect(response, 403, actor, "an export")
            return
        self.expect(response, 200, actor, "an export")
        expected = [d.id for d in self.m.drafts.values() if self.m.learner_sees_draft(actor, d)]
        got = [i["id"] for i in response.json()["items"]]
        assert sorted(got) == sorted(expected), f"export of {actor}: {got} != {expected}"
        assert all("notes" not in s for s in response.json()["sessions"]), "notes exported"

    def learner_uses_item(self, actor: Actor, data: Any) -> None:
        """Read one item of the feed by id, answer it, list the answers to it."""
        draft_id = self.pick_draft(data, actor)
        expected = self.draft_status(actor, draft_id)
        response = self.call(actor, "GET", f"/feed/{draft_id}")
        self.expect(response, expected, actor, f"feed item {draft_id}")
        if expected == 200:
            self.check_item(actor, response.json())
            self.delivered(draft_id)
        self.learner_answers(actor, draft_id, expected)
        response = self.call(actor, "GET", f"/feed/{draft_id}/answers")
        self.expect(response, expected, actor, f"my answers to {draft_id}")
        if expected == 200:
            got = sorted(a["id"] for a in response.json())
            assert got == sorted(self.m.drafts[draft_id].answers), f"answers to {draft_id}"

    def learner_answers(self, actor: Actor, draft_id: str, expected: int) -> None:
        expected = 201 if expected == 200 else expected
        marker = self.m.new_marker()
        body = {"text": f"Answer {marker} {self.m.worlds[actor.org].canary}"}
        response = self.call(actor, "POST", f"/feed/{draft_id}/answers", body)
        self.expect(response, expected, actor, f"answer {draft_id}")
        if expected != 201:
            return
        answer = response.json()
        assert (answer["learner_id"], answer["suggestion_id"]) == (self.m.uid(actor), draft_id)
        self.m.answers[answer["id"]] = AnswerM(answer["id"], actor.org, self.m.uid(actor), draft_id)
        self.m.objects[answer["id"]] = Thing("answer", actor.org)
        self.m.register(marker, "answer", actor.org, answer["id"])
        self.m.drafts[draft_id].answers.append(answer["id"])

    # -- conversations

    @rule(actor=AS_LEARNER, what=CONVERSATION_USES, shared=st.booleans(), data=st.data())
    def conversations(self, actor: Actor, what: str, shared: bool, data: Any) -> None:
        """A learner starts one (and writes in it); anyone posts to, shares or reads one."""
        if what == "start":
            self.learner_starts_conversation(actor, shared)
        elif what == "post":
            self.post_message(actor, self.pick_conversation(data, actor))
        elif what == "share":
            self.learner_shares_conversation(actor, shared, data)
        else:
            self.someone_reads_conversation(actor, data)

    def learner_starts_conversation(self, actor: Actor, shared: bool) -> None:
        """A learner opens a conversation and writes in it; others then try to read it."""
        learner = self.m.role(actor) is Role.LEARNER
        title = self.m.new_marker()
        body = {
            "title": f"Talk {title} {self.m.worlds[actor.org].canary}",
            "shared_with_coach": shared,
        }
        response = self.call(actor, "POST", "/conversations", body)
        self.expect(response, 201 if learner else 403, actor, "start a conversation")
        if not learner:
            return
        got = response.json()
        assert (got["learner_id"], got["shared_with_coach"]) == (self.m.uid(actor), shared)
        conversation = ConversationM(got["id"], actor.org, self.m.uid(actor), shared)
        self.m.conversations[conversation.id] = conversation
        self.m.objects[conversation.id] = Thing("conversation", actor.org)
        self.m.register(title, "conversation", actor.org, conversation.id)
        self.post_message(actor, conversation.id)

    def post_message(self, actor: Actor, conversation_id: str) -> None:
        conversation = self.m.conversations.get(conversation_id)
        if self.m.role(actor) is not Role.LEARNER:
            expected = 403
        else:
            owner = self.m.reads_conversation(actor, conversation)
            expected = 201 if owner else 404
        marker = self.m.new_marker()
        body = {"content": f"Message {marker} {self.m.worlds[actor.org].canary}"}
        response = self.call(actor, "POST", f"/conversations/{conversation_id}/messages", body)
        self.expect(response, expected, actor, f"post to {conversation_id}")
        if expected != 201:
            return
        assert conversation is not None
        turn = response.json()
        # The learner's message, then the companion's reply (the composer always answers).
        for message in (turn["message"], turn["reply"]):
            assert message is not None, turn
            conversation.messages.append(message["id"])
            self.m.objects[message["id"]] = Thing("message", actor.org, conversation_id)
        self.m.register(marker, "message", actor.org, conversation_id)

    def learner_shares_conversation(self, actor: Actor, shared: bool, data: Any) -> None:
        conversation_id = self.pick_conversation(data, actor)
        conversation = self.m.conversations.get(conversation_id)
        if self.m.role(actor) is not Role.LEARNER:
            expected = 403
        else:
            expected = 200 if self.m.reads_conversation(actor, conversation) else 404
        body = {"shared_with_coach": shared}
        response = self.call(actor, "PATCH", f"/conversations/{conversation_id}", body)
        self.expect(response, expected, actor, f"share {conversation_id}")
        if expected == 200:
            assert conversation is not None
            assert response.json()["shared_with_coach"] is shared
            conversation.shared = shared

    def someone_reads_conversation(self, actor: Actor, data: Any) -> None:
        conversation_id = self.pick_conversation(data, actor)
        conversation = self.m.conversations.get(conversation_id)
        if self.m.role(actor) is Role.ADMIN:
            expected = 403
        else:
            expected = 200 if self.m.reads_conversation(actor, conversation) else 404
        response = self.call(actor, "GET", f"/conversations/{conversation_id}")
        self.expect(response, expected, actor, f"read conversation {conversation_id}")
        status, messages = self.list_all(actor, f"/conversations/{conversation_id}/messages")
        assert status == expected, f"messages of {conversation_id} as {actor}: {status}"
        if expected == 200:
            assert conversation is not None
            assert [m["id"] for m in messages] == conversation.messages

    # -- sessions, people, programs, enrollments

    @rule(actor=AS_COACH, own=st.booleans(), learner=LEARNERS)
    def coach_logs_session(self, actor: Actor, own: bool, learner: Actor) -> None:
        """For one of the coach's learners (`own`, if any), else any learner of either org."""
        org, learner_id = learner.org, self.m.uid(learner)
        is_coach = self.m.role(actor) is Role.COACH
        mine = sorted(self.m.coach_learners(actor.org, self.m.uid(actor))) if is_coach else []
        if own and mine:
            org, learner_id = actor.org, mine[int(learner.who[-1]) % len(mine)]
        if not is_coach:
            expected = 403
        else:
            expected = 201 if self.m.coach_sees_learner(actor, org, learner_id) else 404
        notes = self.m.new_marker()
        body = {
            "learner_id": learner_id,
            "held_at": (utcnow() - timedelta(hours=1)).isoformat(),
            "notes": f"Notes {notes} {self.m.worlds[actor.org].canary}",
            "focus_skills": ["feedback"],
            # Plan drafts arrive later, from a background job this model does not track; they
            # enter through the same create_drafts (pending_review), covered by test_agents_api.
            "draft_plan": False,
        }
        response = self.call(actor, "POST", "/sessions", body)
        self.expect(response, expected, actor, f"log a session for {learner_id}")
        if expected != 201:
            return
        session_id = response.json()["id"]
        self.m.sessions[session_id] = SessionM(session_id, actor.org, learner_id)
        self.m.objects[session_id] = Thing("session", actor.org)
        self.m.register(notes, "session_notes", actor.org, session_id)

    @rule(
        actor=ACTORS,
        kind=st.sampled_from(("users", "sessions", "programs", "enrollments", "suggestions")),
        data=st.data(),
    )
    def someone_pokes_an_id(self, actor: Actor, kind: str, data: Any) -> None:
        """Any id of any kind and organisation, on any detail endpoint."""
        known = list(self.m.objects)
        index = data.draw(INDEX, label="index")
        target = known[index % len(known)] if index % 8 else str(uuid4())
        thing = self.m.objects.get(target)
        role = self.m.role(actor)
        if kind == "users":
            ok = self.m.sees_user(actor, target)
        elif kind == "sessions":
            ok = self.m.sees_session(actor, self.m.sessions.get(target))
        elif kind == "programs":
            ok = thing is not None and thing.kind == "program" and thing.org == actor.org
        elif kind == "enrollments":
            ok = self.m.sees_enrollment(actor, self.m.enrollments.get(target))
        else:
            ok = self.m.coach_sees_draft(actor, self.m.drafts.get(target))
        expected = 200 if ok else 404
        if kind == "suggestions" and role is not Role.COACH:
            expected = 403
        response = self.call(actor, "GET", f"/{kind}/{target}")
        self.expect(response, expected, actor, f"GET /{kind}/{target} ({thing})")
        if kind == "sessions" and expected == 200 and role is Role.LEARNER:
            assert "notes" not in response.json(), "a learner received a coach's notes"

    @rule(
        actor=ACTORS,
        path=st.sampled_from(
            (
                "/users",
                "/sessions",
                "/enrollments",
                "/programs",
                "/question-bank",
                "/audit-events",
                "/api-keys",
                "/conversations",
                "/me",
                "/me/export",
                "/organization",
            )
        ),
    )
    def someone_browses(self, actor: Actor, path: str) -> None:
        """Every list: the role gate, and exactly the rows the model says, nothing else."""
        role = self.m.role(actor)
        allowed = {
            "/question-bank": {Role.COACH, Role.ADMIN},
            "/audit-events": {Role.ADMIN},
            "/conversations": {Role.COACH, Role.LEARNER},
        }.get(path, set(Role))
        if path in {"/me", "/organization"}:
            self.expect(self.call(actor, "GET", path), 200, actor, path)
            return
        if path == "/me/export":
            self.learner_exports(actor)
            return
        status, items = self.list_all(actor, path)
        assert status == (200 if role in allowed else 403), f"{path} as {actor}: {status}"
        got = sorted(i["id"] for i in items)
        if path == "/conversations":
            conversations = self.m.conversations.values()
            expected = [c.id for c in conversations if self.m.reads_conversation(actor, c)]
            assert got == sorted(expected), f"conversations of {actor}"
        elif path == "/users":
            users = [k for k, t in self.m.objects.items() if t.kind == "user"]
            assert got == sorted(u for u in users if self.m.sees_user(actor, u)), path
        elif path == "/sessions":
            sessions = self.m.sessions.values()
            assert got == sorted(s.id for s in sessions if self.m.sees_session(actor, s)), path
            if role is Role.LEARNER:
                assert all("notes" not in i for i in items), "a learner received session notes"
        elif path == "/enrollments":
            enrollments = self.m.enrollments.values()
            expected = [e.id for e in enrollments if self.m.sees_enrollment(actor, e)]
            assert got == sorted(expected), path

    @rule(
        actor=AS_ADMIN,
        change=st.sampled_from(
            ("to_coach", "to_coach", "to_idle", "activate", "activate", "deactivate", "goal")
        ),
        data=st.data(),
    )
    def someone_changes_enrollment(self, actor: Actor, change: str, data: Any) -> None:
        """Reassigning or pausing an enrollment moves the gate: only the active coach reviews."""
        enrollments = list(self.m.enrollments.values())
        mine = [e.id for e in enrollments if e.org == actor.org]
        enrollment_id = self.pick(data, actor, [e.id for e in enrollments], mine, mine)[0]
        enrollment = self.m.enrollments.get(enrollment_id)
        world = self.m.worlds[actor.org]
        body: dict[str, Any] = {
            "to_coach": {"coach_id": str(world.coach.id)},
            "to_idle": {"coach_id": str(world.idle_coach.id)},
            "deactivate": {"is_active": False},
            "activate": {"is_active": True},
            "goal": {"goal": f"goal {world.canary}"},
        }[change]
        role = self.m.role(actor)
        if role is Role.LEARNER:
            expected = 403
        elif not self.m.sees_enrollment(actor, enrollment):
            expected = 404
        elif role is Role.COACH and change != "goal":
            expected = 400
        else:
            expected = 200
        response = self.call(actor, "PATCH", f"/enrollments/{enrollment_id}", body)
        self.expect(response, expected, actor, f"{change} on enrollment {enrollment_id}")
        if expected == 200:
            assert enrollment is not None
            enrollment.coach = body.get("coach_id", enrollment.coach)
            enrollment.active = body.get("is_active", enrollment.active)
            got = response.json()
            assert (got["coach_id"], got["is_active"]) == (enrollment.coach, enrollment.active)

    # -- at the end of every example, every feed and queue is exactly what the model says

    def teardown(self) -> None:
        in_flight = sys.exc_info()[1]
        if in_flight is not None:  # a step failed (its error is the report, and the model may
            # be behind), or hypothesis abandoned the example (StopTest, not an Exception)
            self.m.abandoned += not isinstance(in_flight, Exception)
            if isinstance(in_flight, AssertionError):
                # Hypothesis replays a failing example to report it; on a database that
                # outlived it the replay can draw differently and be reported as flaky: the
                # first failure's own words are kept here (pytest shows them with the error).
                sys.stderr.write(f"gate property failure: {str(in_flight)[:3000]}\n")
            return
        for draft_id in self.new_drafts:  # by id, as the learner it was drafted for
            draft = self.m.drafts[draft_id]
            who = LEARNER_WHO[
                [str(p.id) for p in self.m.worlds[draft.org].learners].index(draft.learner)
            ]
            actor = Actor(draft.org, who, "key")
            response = self.call(actor, "GET", f"/feed/{draft_id}")
            self.expect(response, self.draft_status(actor, draft_id), actor, draft_id)
            if response.status_code == 200:
                self.delivered(draft_id)
        for org in (0, 1):
            for who in ("learner0", "learner1"):
                self.learner_reads_feed(Actor(org, who, "key"))
            for who in ("coach", "idle_coach"):
                self.coach_reads_queue(Actor(org, who, "key"), None)
        self.circle_final_checks()
        self.companion_final_checks()
        self.m.final_checks += 1


def test_approval_gate_and_tenant_isolation_hold(
    app: Litestar, client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    harness = build_harness(app, client, worlds)
    circles, companions = CirclesModel(harness.model), CompanionsModel(harness.model)
    machine = type(
        "GateMachineRun",
        (GateMachine,),
        {"harness": harness, "circles": circles, "companions": companions},
    )
    run_state_machine_as_test(machine, settings=STEPS)
    # The run went where it matters (a guard against the machine silently degenerating).
    model = harness.model
    assert model.final_checks + model.abandoned == model.examples, "final checks were skipped"
    assert model.final_checks >= STEPS.max_examples
    states = {d.state for d in model.drafts.values()}
    assert {PENDING, REJECTED, DELIVERED} <= states, states
    seen = set(model.outcomes)
    missing = [name for name, outcomes in MUST_SEE.items() if not outcomes & seen]
    missing += [name for name, outcomes in MORE_MUST_SEE.items() if not outcomes & seen]
    assert not missing, f"the run never did: {missing}; it saw {model.outcomes}"
    assert all(circles.decisions.values()), f"the facilitators' decisions: {circles.decisions}"
    assert {"pending_review"} <= {d.state for d in circles.drafts.values()}
