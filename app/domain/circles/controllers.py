"""Peer circles through the API: a coach or an admin forms a circle; its facilitator runs
the sessions and reviews the agent's drafts; members write at each step. The shared page is
app/web/circles_pages.py."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.agents.runtime import AgentRuntime
from app.domain.circles.schemas import (
    CircleIn,
    CircleOut,
    ContributionIn,
    DraftOut,
    ReviewIn,
    SessionIn,
    SessionOut,
    WrittenOut,
)
from app.domain.circles.services import CircleService
from app.domain.notifications.alerts import AlertMail
from app.lib.errors import Conflict, Forbidden, NotFound
from app.lib.identity import Identity
from app.lib.openapi import errors


def provide_circles(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> CircleService:
    return CircleService(db_session, identity)


_DEPENDENCIES = {"circles": Provide(provide_circles, sync_to_thread=False)}


class CircleController(Controller):
    path = "/api/v1/circles"
    tags = ["circles"]
    dependencies = _DEPENDENCIES

    @get("/", summary="My peer circles (member or facilitator)")
    async def list_circles(self, circles: NamedDependency[CircleService]) -> list[CircleOut]:
        """The circles the caller belongs to (a learner) or facilitates (a coach, an admin)."""
        return await circles.mine()

    @post("/", summary="Form a peer circle (coach or admin)", responses=errors(Forbidden))
    async def create(
        self, circles: NamedDependency[CircleService], data: JSONBody[CircleIn]
    ) -> CircleOut:
        """4 to 8 learners of the organisation (a coach: learners they coach) and a
        facilitator (a coach or an admin; default: the caller). 400 naming the field otherwise."""
        return await circles.create(data)

    @get("/{circle_id:uuid}", summary="One of my circles", responses=errors(NotFound))
    async def get_circle(
        self, circles: NamedDependency[CircleService], circle_id: FromPath[UUID]
    ) -> CircleOut:
        """Its members (with how often each presented), facilitator and sessions."""
        return await circles.get(circle_id)

    @post(
        "/{circle_id:uuid}/sessions",
        summary="Start a co-development session (facilitator)",
        responses=errors(Conflict, Forbidden, NotFound),
    )
    async def start_session(
        self,
        circles: NamedDependency[CircleService],
        circle_id: FromPath[UUID],
        data: JSONBody[SessionIn],
    ) -> SessionOut:
        """A session at its first step (the situation), with a presenter: the one given, or
        the member who presented least. 409 while another session of the circle is open."""
        return await circles.start(circle_id, data)


class CircleSessionController(Controller):
    path = "/api/v1/circle-sessions"
    tags = ["circles"]
    dependencies = _DEPENDENCIES

    @get("/{circle_session_id:uuid}", summary="A circle session: step, time left, what was said")
    async def get_session(
        self, circles: NamedDependency[CircleService], circle_session_id: FromPath[UUID]
    ) -> SessionOut:
        """The step under way and its time left, the contributions, and the agent's drafts:
        members see them once the facilitator approved them; the facilitator sees them all."""
        return await circles.view(circle_session_id)

    @post(
        "/{circle_session_id:uuid}/contributions",
        summary="Write at the step under way (member)",
        responses=errors(Conflict, NotFound),
    )
    async def contribute(
        self,
        circles: NamedDependency[CircleService],
        agents: NamedDependency[AgentRuntime],
        alert_mail: NamedDependency[AlertMail | None],
        circle_session_id: FromPath[UUID],
        data: JSONBody[ContributionIn],
    ) -> WrittenOut:
        """The presenter writes the situation, the request and the action plan; the others
        the clarifying questions and the suggestions; everyone the lessons. The safety guard
        reads each text: a flagged one is kept from the other members and its writer gets
        the organisation's resources; an urgent one alerts the writer's coach."""
        return await circles.contribute(circle_session_id, data, agents.guard, alert_mail)

    @post(
        "/{circle_session_id:uuid}/advance",
        summary="Go to the next step (facilitator)",
        responses=errors(Conflict, Forbidden, NotFound),
    )
    async def advance(
        self, circles: NamedDependency[CircleService], circle_session_id: FromPath[UUID]
    ) -> SessionOut:
        """Leaving the situation drafts clarifying questions; leaving the action plan makes it
        one of the presenter's items; leaving the lessons closes the session and drafts its
        synthesis. Drafts wait for the facilitator's review."""
        return await circles.advance(circle_session_id)


class CircleDraftController(Controller):
    path = "/api/v1/circle-drafts"
    tags = ["circles"]
    dependencies = _DEPENDENCIES

    @post(
        "/{circle_draft_id:uuid}/review",
        summary="Approve, edit or reject an agent draft for the circle (facilitator)",
        responses=errors(Conflict, Forbidden, NotFound),
    )
    async def review(
        self,
        circles: NamedDependency[CircleService],
        circle_draft_id: FromPath[UUID],
        data: JSONBody[ReviewIn],
    ) -> DraftOut:
        """Members see the draft once approved or edited, never before, never if rejected."""
        return await circles.review(circle_draft_id, data)
