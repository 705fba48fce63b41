"""The peer circles' pages: the list (and, for a coach or an admin, the form that forms a
circle) and the circle's page, which is the session's shared space for a remote circle: the
step under way with its time left, what members wrote, the drafts the facilitator approved,
and the forms each person may use at this step, and the circle's past sessions. Forms post
without script; static/circle.js keeps the session under way current while the tab is visible
(step, time left, what members wrote, the drafts the facilitator approved), from the API.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import Role
from app.domain.agents.runtime import AgentRuntime
from app.domain.circles.schemas import (
    STEPS,
    CircleIn,
    ContributionIn,
    ReviewIn,
    SessionIn,
    WrittenOut,
)
from app.domain.circles.services import CircleService
from app.domain.notifications.alerts import AlertMail
from app.lib.errors import AppError, InvalidInput
from app.lib.identity import Identity
from app.web.i18n import text
from app.web.pages import PageController, Viewer, render

MAX_CHARS = 4_000


def _problem(error: Exception, locale: str) -> str:
    message = error.message if isinstance(error, AppError) else str(error).split(" - at")[0]
    return text("circles.problem", locale, message=message)


class CirclePages(PageController):
    path = "/circles"

    async def _list(
        self, db: AsyncSession, viewer: Viewer, *, problem: str = "", status_code: int = 200
    ) -> Template:
        identity = viewer.identity
        organizing = identity.role in (Role.COACH, Role.ADMIN)
        service = CircleService(db, identity)
        return render(
            "circles/list.html",
            viewer,
            current="/circles",
            status_code=status_code,
            circles=await service.mine(),
            learners=await service.invitable() if organizing else [],
            organizing=organizing,
            problem=problem,
        )

    @get("/", name="circles")
    async def circles(
        self, db_session: NamedDependency[AsyncSession], viewer: NamedDependency[Viewer]
    ) -> Template:
        return await self._list(db_session, viewer)

    @post("/", name="circles-create", status_code=303)
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        viewer: NamedDependency[Viewer],
    ) -> Redirect | Template:
        form = await request.form()
        raw = {
            "name": str(form.get("name") or "").strip()[:300],
            "member_ids": [str(v) for v in form.getall("member_ids", [])][:20],
        }
        try:
            circle = await CircleService(db_session, identity).create(
                msgspec.convert(raw, CircleIn)
            )
        except (msgspec.ValidationError, AppError) as error:
            return await self._list(
                db_session, viewer, problem=_problem(error, viewer.locale), status_code=400
            )
        await db_session.commit()
        return Redirect(f"/circles/{circle.id}", status_code=303)

    async def _circle(
        self,
        db: AsyncSession,
        viewer: Viewer,
        circle_id: UUID,
        *,
        written: WrittenOut | None = None,
        problem: str = "",
        status_code: int = 200,
        past: UUID | None = None,
    ) -> Template:
        service = CircleService(db, viewer.identity)
        circle = await service.get(circle_id)
        latest = circle.open_session_id or (circle.session_ids[0] if circle.session_ids else None)
        # `past`: one of this circle's sessions, chosen in its history; anything else: the latest.
        shown = past if past in circle.session_ids else latest
        session = await service.view(shown) if shown else None
        return render(
            "circles/circle.html",
            viewer,
            current="/circles",
            status_code=status_code,
            circle=circle,
            session=session,
            steps=STEPS,
            facilitating=circle.facilitator_id == viewer.identity.user_id,
            least=min(circle.members, key=lambda m: m.presented).id if circle.members else None,
            written=written,
            problem=problem,
            live=session is not None and shown == latest,  # circle.js keeps it current
            history=await service.history(circle_id),
        )

    @get("/{circle_id:uuid}", name="circle")
    async def circle(
        self,
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[Viewer],
        circle_id: FromPath[UUID],
        session: Annotated[UUID | None, QueryParameter(name="session")] = None,
    ) -> Template:
        return await self._circle(db_session, viewer, circle_id, past=session)

    @post("/{circle_id:uuid}/sessions", name="circle-start", status_code=303)
    async def start(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        circle_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        try:
            presenter: UUID | None = UUID(str(form.get("presenter_id") or ""))
        except ValueError:
            presenter = None
        await CircleService(db_session, identity).start(
            circle_id, SessionIn(presenter_id=presenter)
        )
        await db_session.commit()
        return Redirect(f"/circles/{circle_id}", status_code=303)

    @post(
        "/sessions/{circle_session_id:uuid}/contributions",
        name="circle-contribute",
        status_code=200,
    )
    async def contribute(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        viewer: NamedDependency[Viewer],
        agents: NamedDependency[AgentRuntime],
        alert_mail: NamedDependency[AlertMail | None],
        circle_session_id: FromPath[UUID],
    ) -> Template:
        service = CircleService(db_session, identity)
        session = await service.view(circle_session_id)
        form = await request.form()
        raw = {"text": str(form.get("text") or "")[: MAX_CHARS + 1]}
        try:
            written = await service.contribute(
                circle_session_id,
                msgspec.convert(raw, ContributionIn),
                agents.guard,
                alert_mail,
            )
        except (msgspec.ValidationError, AppError) as error:
            return await self._circle(
                db_session,
                viewer,
                session.circle_id,
                problem=_problem(error, viewer.locale),
                status_code=400,
            )
        await db_session.commit()
        return await self._circle(db_session, viewer, session.circle_id, written=written)

    @post("/sessions/{circle_session_id:uuid}/advance", name="circle-advance", status_code=303)
    async def advance(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        circle_session_id: FromPath[UUID],
    ) -> Redirect:
        session = await CircleService(db_session, identity).advance(circle_session_id)
        await db_session.commit()
        return Redirect(f"/circles/{session.circle_id}", status_code=303)

    @post("/drafts/{circle_draft_id:uuid}/review", name="circle-review", status_code=303)
    async def review(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        circle_draft_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        decision = str(form.get("decision") or "")
        raw: dict[str, Any] = {"decision": decision, "reason": str(form.get("reason") or "")}
        if decision == "edit":
            raw["text"] = str(form.get("text") or "")
        try:
            data = msgspec.convert(raw, ReviewIn)
        except msgspec.ValidationError as error:
            raise InvalidInput(str(error), field="decision") from error
        await CircleService(db_session, identity).review(circle_draft_id, data)
        circle_id = form.get("circle_id") or ""
        await db_session.commit()
        try:
            return Redirect(f"/circles/{UUID(str(circle_id))}", status_code=303)
        except ValueError:
            return Redirect("/circles", status_code=303)
