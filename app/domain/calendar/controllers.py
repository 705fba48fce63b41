from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import User
from app.domain.calendar import services
from app.domain.calendar.schemas import CalendarFeedOut
from app.lib.clock import utcnow
from app.lib.errors import NotFound
from app.lib.identity import Identity
from app.settings import Settings

FEED_SUFFIX = ".ics"
FEED_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Disposition": 'inline; filename="interlude.ics"',
}


async def _me(db: AsyncSession, identity: Identity) -> User:
    user = await db.get(User, identity.user_id)
    if user is None:
        raise NotFound("Your account no longer exists.")
    return user


class CalendarController(Controller):
    path = "/api/v1/me/calendar"
    tags = ["calendar"]

    @post(
        "/",
        status_code=201,
        summary="Make my calendar feed (its secret URL is shown once)",
        description=(
            "A learner's feed has their next sessions and the days items are due (never their "
            "text); a coach's, the next sessions of their learners. Subscribe to the URL in a "
            "calendar application. Making a new feed replaces the old URL."
        ),
    )
    async def create(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        settings: NamedDependency[Settings],
    ) -> CalendarFeedOut:
        identity.require_role(*services.FEED_ROLES)
        feed = await services.create_feed(db_session, settings, await _me(db_session, identity))
        return CalendarFeedOut(
            url=feed.url,
            detail="Subscribe to this URL in your calendar application. It is shown once; anyone "
            "who has it sees your feed, so revoke it (DELETE /api/v1/me/calendar) if it leaks.",
        )

    @delete("/", status_code=204, summary="Revoke my calendar feed (its URL answers 404)")
    async def revoke(
        self, db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
    ) -> None:
        """Calendar applications subscribed to the old URL get 404 from now on."""
        await services.revoke_feed(db_session, await _me(db_session, identity))


class CalendarFeedController(Controller):
    """The feed itself: no login, the token in the URL is the credential."""

    path = services.FEED_PATH
    include_in_schema = False

    @get("/{feed:str}", summary="A calendar feed (iCalendar)")
    async def feed(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        feed: FromPath[str],
    ) -> Response[str]:
        token = feed.removesuffix(FEED_SUFFIX) if feed.endswith(FEED_SUFFIX) else ""
        user = await services.feed_owner(db_session, token)
        if user is None:
            raise NotFound("No such calendar.")
        request.state.user_id = str(user.id)  # the access log's ids, as for a login
        request.state.organization_id = str(user.organization_id)
        text = await services.feed_text(db_session, settings, user, utcnow())
        return Response(text, media_type="text/calendar", headers=FEED_HEADERS)
