"""What companions said, seen from above: the learner's (and their coach's) aggregate of the
answers to one goal, anonymous once at least three companions answered; and the coach's view
of a learner's circle.

Anonymity is in the shape, not a promise: an aggregate carries no name, relation, id or date,
each list (facts, effects, suggestions) is ordered by a hash of its text, so neither answer
time nor who answered first shows, and the three lists are ordered separately, so a fact
cannot be paired with its author's effect. Fewer than three companions: no aggregate at all
(two people who know each other's answer would know the third). A coach's aggregate counts
only the answers the learner shared with them, so it also needs three shared answers.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Companion, CompanionFeedback, FeedbackRequest
from app.db.models.enums import Role
from app.domain import access
from app.domain.companions.schemas import AggregateOut, CircleMemberOut, CompanionOut
from app.domain.companions.suggestions import require_my_learner
from app.lib.clock import utcnow
from app.lib.identity import Identity

MIN_COMPANIONS = 3  # the smallest group whose answers are shown without names


class Answer(NamedTuple):
    learner_id: UUID
    goal: str
    companion_id: UUID
    fact: str
    effect: str
    suggestion: str


def _shuffled(texts: Iterable[str], goal: str) -> list[str]:
    """A deterministic order that owes nothing to who wrote what, or when."""
    kept = [t.strip() for t in texts if t.strip()]
    return sorted(kept, key=lambda t: hashlib.sha256(f"{goal}\0{t}".encode()).hexdigest())


def aggregate(answers: Iterable[Answer]) -> list[AggregateOut]:
    """One aggregate per learner and goal answered by at least MIN_COMPANIONS companions."""
    groups: dict[tuple[UUID, str], list[Answer]] = defaultdict(list)
    for answer in answers:
        groups[answer.learner_id, answer.goal].append(answer)
    return [
        AggregateOut(
            learner_id=learner_id,
            goal=goal,
            companions=len({a.companion_id for a in group}),
            facts=_shuffled((a.fact for a in group), goal),
            effects=_shuffled((a.effect for a in group), goal),
            suggestions=_shuffled((a.suggestion for a in group), goal),
        )
        for (learner_id, goal), group in sorted(groups.items(), key=lambda kv: kv[0][1])
        if len({a.companion_id for a in group}) >= MIN_COMPANIONS
    ]


class CompanionOverviewService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def aggregates(self, learner_id: UUID | None = None) -> list[AggregateOut]:
        """The learner's: over all their answers. A coach's: over the answers shared with
        them, so three shared answers at least."""
        self.identity.require_role(Role.LEARNER, Role.COACH)
        statement = (
            # Labelled by the Answer fields they fill, so the row builds it by name.
            select(
                CompanionFeedback.learner_id.label("learner_id"),
                Companion.goal.label("goal"),
                CompanionFeedback.companion_id.label("companion_id"),
                CompanionFeedback.fact.label("fact"),
                CompanionFeedback.effect.label("effect"),
                CompanionFeedback.suggestion.label("suggestion"),
            )
            .join(Companion, Companion.id == CompanionFeedback.companion_id)
            .where(access.visible_companion_feedback(self.identity))
        )
        if learner_id is not None:
            statement = statement.where(CompanionFeedback.learner_id == learner_id)
        rows = (await self.db.execute(statement)).mappings()
        return aggregate(Answer(**row) for row in rows)

    async def circle(self, learner_id: UUID) -> list[CircleMemberOut]:
        """For the learner's coach: who accompanies them (a name only if the learner allowed
        it), each link's status, and the questions still waiting for an answer."""
        await require_my_learner(self.db, self.identity, learner_id)
        companions = list(
            await self.db.scalars(
                select(Companion)
                .where(
                    access.companions_in_coach_view(self.identity),
                    Companion.learner_id == learner_id,
                )
                .order_by(Companion.id)
            )
        )
        requests: dict[UUID, list[FeedbackRequest]] = defaultdict(list)
        for request in await self.db.scalars(
            select(FeedbackRequest)
            .where(
                access.in_tenant(FeedbackRequest, self.identity),
                FeedbackRequest.companion_id.in_([c.id for c in companions]),
            )
            .order_by(FeedbackRequest.id)
        ):
            requests[request.companion_id].append(request)
        now, members = utcnow(), []
        for c in companions:
            status, asked = CompanionOut.of(c, now).status, requests[c.id]
            members.append(
                CircleMemberOut(
                    name=c.name if c.name_visible_to_coach else "",
                    relation=c.relation,
                    status=status,
                    requests=len(asked),
                    answered=sum(1 for r in asked if r.answered_at is not None),
                    # A dead link's unanswered questions wait for nothing.
                    open_questions=[r.question for r in asked if r.answered_at is None]
                    if status == "active"
                    else [],
                )
            )
        return members
