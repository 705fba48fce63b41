"""Coaching sessions: a coach logs one for a learner enrolled with them (rules in services)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CoachingSession
from app.domain.coaching.schemas import LearnerSessionOut, SessionIn, SessionOut
from app.domain.coaching.services import CoachingService
from app.lib.background import Waker
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import Page


def provide_coaching(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> CoachingService:
    return CoachingService(db_session, identity)


def _view(identity: Identity, session: CoachingSession) -> SessionOut | LearnerSessionOut:
    return LearnerSessionOut.of(session) if identity.is_learner else SessionOut.of(session)


class CoachingSessionController(Controller):
    path = "/api/v1/sessions"
    tags = ["sessions"]
    dependencies = {"coaching": Provide(provide_coaching, sync_to_thread=False)}

    @get("/", summary="Sessions I may see, newest first")
    async def list_sessions(
        self,
        coaching: NamedDependency[CoachingService],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
    ) -> Page[SessionOut | LearnerSessionOut]:
        """Coaching sessions the caller may see, newest first, a page at a time."""
        items, cursor = await coaching.list(page)
        return Page(items=[_view(identity, s) for s in items], next_cursor=cursor)

    @get("/{session_id:uuid}", summary="One session")
    async def get_one(
        self,
        coaching: NamedDependency[CoachingService],
        identity: NamedDependency[Identity],
        session_id: FromPath[UUID],
    ) -> SessionOut | LearnerSessionOut:
        """One coaching session the caller may see."""
        return _view(identity, await coaching.get(session_id))

    @post("/", summary="Log a session (coach); its plan is drafted in the background")
    async def create(
        self,
        coaching: NamedDependency[CoachingService],
        plan_worker: NamedDependency[Waker],
        data: JSONBody[SessionIn],
    ) -> Response[SessionOut]:
        """Logs a session held with one of the coach's learners: notes, focus skills, goal and
        agreed actions. The between-session plan is drafted in the background; follow it with GET
        /sessions/{session_id}/plan. Coach only."""
        session, run_id = await coaching.create(data)
        return Response(
            SessionOut.of(session, run_id),
            status_code=HTTP_201_CREATED,
            background=BackgroundTask(plan_worker.wake),
        )
