"""Coaching sessions: a coach logs one for a learner enrolled with them; the learner and the
coach read it (`access.visible_sessions`), the admin never does."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CoachingSession, Enrollment
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.coaching.schemas import SessionIn
from app.domain.plans.services import enqueue_plan
from app.lib.errors import InvalidInput, NotFound
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page


class CoachingService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def list(self, page: PageParams) -> tuple[Sequence[CoachingSession], str | None]:
        statement = select(CoachingSession).where(access.visible_sessions(self.identity))
        return await fetch_page(self.db, statement, CoachingSession.id, page, newest_first=True)

    async def latest(self) -> CoachingSession | None:
        """The last session held among those one may read (a learner's own last one)."""
        found: CoachingSession | None = await self.db.scalar(
            select(CoachingSession)
            .where(access.visible_sessions(self.identity))
            .order_by(CoachingSession.held_at.desc())
            .limit(1)
        )
        return found

    async def get(self, session_id: UUID) -> CoachingSession:
        return await access.one_visible(
            self.db,
            CoachingSession,
            session_id,
            access.visible_sessions(self.identity),
            what="session",
            field="session_id",
        )

    async def create(self, data: SessionIn) -> tuple[CoachingSession, UUID | None]:
        """The session, and the id of its plan job when one was asked for (the caller wakes
        the plan worker once the transaction is committed)."""
        self.identity.require_role(Role.COACH)
        enrollment = await self._enrollment_for(data)
        session = CoachingSession(
            organization_id=self.identity.organization_id,
            enrollment_id=enrollment.id,
            coach_id=self.identity.user_id,
            learner_id=enrollment.learner_id,
            held_at=data.held_at,
            next_session_at=data.next_session_at,
            notes=data.notes.strip(),
            goal=(data.goal or enrollment.goal).strip(),
            focus_skills=[s.strip() for s in data.focus_skills],
            agreed_actions=[a.strip() for a in data.agreed_actions if a.strip()],
        )
        self.db.add(session)
        await self.db.flush()
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action="session.create",
            target_type="coaching_session",
            target_id=session.id,
        )
        await self.db.refresh(session)
        run_id = None
        if data.draft_plan:
            run, _ = await enqueue_plan(self.db, session, self.identity.user_id)
            run_id = run.id
        return session, run_id

    async def _enrollment_for(self, data: SessionIn) -> Enrollment:
        statement = select(Enrollment).where(
            access.in_tenant(Enrollment, self.identity),
            Enrollment.coach_id == self.identity.user_id,
            Enrollment.learner_id == data.learner_id,
            Enrollment.is_active.is_(True),
        )
        if data.enrollment_id is not None:
            statement = statement.where(Enrollment.id == data.enrollment_id)
        enrollments = (await self.db.scalars(statement)).all()
        if not enrollments:
            raise NotFound("This learner is not enrolled with you.", field="learner_id")
        if len(enrollments) > 1:
            raise InvalidInput(
                "This learner follows several of your programs: say which with enrollment_id.",
                field="enrollment_id",
            )
        return enrollments[0]
