"""Coaching sessions: a coach logs one for a learner enrolled with them."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CoachingSession, Enrollment
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.coaching.schemas import LearnerSessionOut, SessionIn, SessionOut
from app.domain.plans.services import enqueue_plan
from app.domain.plans.worker import PlanWorker
from app.lib.errors import InvalidInput, NotFound
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.schema import Page


def _view(identity: Identity, session: CoachingSession) -> SessionOut | LearnerSessionOut:
    return LearnerSessionOut.of(session) if identity.is_learner else SessionOut.of(session)


async def _enrollment_for(db: AsyncSession, identity: Identity, data: SessionIn) -> Enrollment:
    statement = select(Enrollment).where(
        access.in_tenant(Enrollment, identity),
        Enrollment.coach_id == identity.user_id,
        Enrollment.learner_id == data.learner_id,
        Enrollment.is_active.is_(True),
    )
    if data.enrollment_id is not None:
        statement = statement.where(Enrollment.id == data.enrollment_id)
    enrollments = (await db.scalars(statement)).all()
    if not enrollments:
        raise NotFound("This learner is not enrolled with you.", field="learner_id")
    if len(enrollments) > 1:
        raise InvalidInput(
            "This learner follows several of your programs: say which with enrollment_id.",
            field="enrollment_id",
        )
    return enrollments[0]


class CoachingSessionController(Controller):
    path = "/api/v1/sessions"
    tags = ["sessions"]

    @get("/", summary="Sessions I may see, newest first")
    async def list_sessions(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
    ) -> Page[SessionOut | LearnerSessionOut]:
        """Coaching sessions the caller may see, newest first, a page at a time."""
        statement = select(CoachingSession).where(access.visible_sessions(identity))
        items, cursor = await fetch_page(
            db_session, statement, CoachingSession.id, page, newest_first=True
        )
        return Page(items=[_view(identity, s) for s in items], next_cursor=cursor)

    @get("/{session_id:uuid}", summary="One session")
    async def get_one(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        session_id: FromPath[UUID],
    ) -> SessionOut | LearnerSessionOut:
        """One coaching session the caller may see."""
        found = await db_session.scalar(
            select(CoachingSession).where(
                CoachingSession.id == session_id, access.visible_sessions(identity)
            )
        )
        if found is None:
            raise NotFound("No such session.", field="session_id")
        return _view(identity, found)

    @post("/", summary="Log a session (coach); its plan is drafted in the background")
    async def create(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        plan_worker: NamedDependency[PlanWorker],
        data: JSONBody[SessionIn],
    ) -> Response[SessionOut]:
        """Logs a session held with one of the coach's learners: notes, focus skills, goal and
        agreed actions. The between-session plan is drafted in the background; follow it with GET
        /sessions/{session_id}/plan. Coach only."""
        identity.require_role(Role.COACH)
        enrollment = await _enrollment_for(db_session, identity, data)
        session = CoachingSession(
            organization_id=identity.organization_id,
            enrollment_id=enrollment.id,
            coach_id=identity.user_id,
            learner_id=enrollment.learner_id,
            held_at=data.held_at,
            next_session_at=data.next_session_at,
            notes=data.notes.strip(),
            goal=(data.goal or enrollment.goal).strip(),
            focus_skills=[s.strip() for s in data.focus_skills],
            agreed_actions=[a.strip() for a in data.agreed_actions if a.strip()],
        )
        db_session.add(session)
        await db_session.flush()
        audit.record(
            db_session,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="session.create",
            target_type="coaching_session",
            target_id=session.id,
        )
        await db_session.refresh(session)
        run_id = None
        if data.draft_plan:
            run, _ = await enqueue_plan(db_session, session, identity.user_id)
            run_id = run.id
        return Response(
            SessionOut.of(session, run_id),
            status_code=HTTP_201_CREATED,
            background=BackgroundTask(plan_worker.wake),
        )
