"""Figures for HR and L&D: how programs are used, never what anyone wrote.

Only counts leave this module, per program and for the organisation, and only for groups of at
least the policy's `aggregate_min_group_size` learners (enrolled, active enrollment): a smaller
group shows its size as hidden and no figure at all. Escalations are never counted here: even a
number could point at someone in a small team.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import distinct, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Answer,
    CoachingSession,
    Conversation,
    Enrollment,
    JournalEntry,
    Message,
    Organization,
    Program,
    Suggestion,
)
from app.db.models.enums import MessageRole, Role, SuggestionState
from app.domain.insights.schemas import GroupFigures, InsightsOut, ProgramFigures, WeekFigures
from app.domain.organizations.schemas import Policy
from app.lib.clock import utcnow
from app.lib.errors import NotFound
from app.lib.identity import Identity

ACTIVE_DAYS = 30
WEEKS = 8
ARRIVED = (SuggestionState.APPROVED, SuggestionState.EDITED, SuggestionState.DELIVERED)


async def _count(db: AsyncSession, statement: Any) -> int:
    return int(await db.scalar(statement) or 0)


class InsightsService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def figures(self) -> InsightsOut:
        self.identity.require_role(Role.ADMIN)
        org = await self.db.get(Organization, self.identity.organization_id)
        if org is None:
            raise NotFound("Your organisation no longer exists.")
        minimum = Policy.load(org.policy).aggregate_min_group_size
        programs = (
            await self.db.scalars(
                select(Program).where(Program.organization_id == org.id).order_by(Program.name)
            )
        ).all()
        organization = await self._group(None, minimum)
        return InsightsOut(
            generated_at=utcnow(),
            min_group_size=minimum,
            active_days=ACTIVE_DAYS,
            organization=organization,
            programs=[
                ProgramFigures(
                    program_id=p.id, name=p.name, figures=await self._group(p.id, minimum)
                )
                for p in programs
            ],
            weeks=[] if organization.suppressed else await self._weeks(),
        )

    async def _weeks(self) -> list[WeekFigures]:
        """Items that reached enrolled learners, week by week, and how many were answered."""
        org_id, now = self.identity.organization_id, utcnow()
        this_monday = now.date() - timedelta(days=now.weekday())
        mondays = [this_monday - timedelta(weeks=n) for n in reversed(range(WEEKS))]
        since = datetime.combine(mondays[0], time(), UTC)
        learners = select(Enrollment.learner_id).where(
            Enrollment.organization_id == org_id, Enrollment.is_active.is_(True)
        )
        arrived = select(Suggestion.id, Suggestion.deliver_at).where(
            Suggestion.organization_id == org_id,
            Suggestion.learner_id.in_(learners),
            Suggestion.state.in_(ARRIVED),
            Suggestion.deliver_at >= since,
            Suggestion.deliver_at <= now,
        )
        rows = (await self.db.execute(arrived)).all()
        answered = set(
            await self.db.scalars(
                select(distinct(Answer.suggestion_id)).where(
                    Answer.organization_id == org_id,
                    Answer.suggestion_id.in_(select(arrived.subquery().c.id)),
                )
            )
        )
        counts = {monday: [0, 0] for monday in mondays}
        for item_id, when in rows:
            monday = when.date() - timedelta(days=when.weekday())
            counts[monday][0] += 1
            counts[monday][1] += item_id in answered
        return [
            WeekFigures(
                week_start=monday,
                items_arrived=n,
                items_answered=a,
                answer_rate=round(a / n, 3) if n else None,
            )
            for monday, (n, a) in counts.items()
        ]

    async def _group(self, program_id: UUID | None, minimum: int) -> GroupFigures:
        """One program's enrolled learners, or the whole organisation's (`program_id` None)."""
        org_id = self.identity.organization_id
        enrollments = select(Enrollment.id, Enrollment.learner_id).where(
            Enrollment.organization_id == org_id, Enrollment.is_active.is_(True)
        )
        if program_id is not None:
            enrollments = enrollments.where(Enrollment.program_id == program_id)
        enrolled = enrollments.subquery()
        learners = await _count(self.db, select(func.count(distinct(enrolled.c.learner_id))))
        if learners < minimum:
            return GroupFigures(learners=None, suppressed=True)
        in_group = CoachingSession.enrollment_id.in_(select(enrolled.c.id))
        sessions = select(CoachingSession.id).where(
            CoachingSession.organization_id == org_id, in_group
        )
        delivered = select(Suggestion.id).where(
            Suggestion.organization_id == org_id,
            Suggestion.session_id.in_(sessions),
            Suggestion.state == SuggestionState.DELIVERED,
        )
        items_delivered = await _count(
            self.db, select(func.count()).select_from(delivered.subquery())
        )
        items_answered = await _count(
            self.db,
            select(func.count(distinct(Answer.suggestion_id))).where(
                Answer.organization_id == org_id, Answer.suggestion_id.in_(delivered)
            ),
        )
        return GroupFigures(
            learners=learners,
            suppressed=False,
            sessions_held=await _count(
                self.db, select(func.count()).select_from(sessions.subquery())
            ),
            items_delivered=items_delivered,
            items_answered=items_answered,
            answer_rate=round(items_answered / items_delivered, 3) if items_delivered else None,
            active_learners=await self._active(select(enrolled.c.learner_id)),
        )

    async def _active(self, learner_ids: Any) -> int:
        """Learners of the group who answered, wrote in their journal or chatted lately."""
        org_id, since = self.identity.organization_id, utcnow() - timedelta(days=ACTIVE_DAYS)
        moments = union(
            select(Answer.learner_id).where(
                Answer.organization_id == org_id, Answer.created_at >= since
            ),
            select(JournalEntry.learner_id).where(
                JournalEntry.organization_id == org_id, JournalEntry.created_at >= since
            ),
            select(Conversation.learner_id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(
                Conversation.organization_id == org_id,
                Message.role == MessageRole.LEARNER,
                Message.created_at >= since,
            ),
        ).subquery()
        return await _count(
            self.db,
            select(func.count(distinct(moments.c[0]))).where(moments.c[0].in_(learner_ids)),
        )
