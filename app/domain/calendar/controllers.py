from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.calendar.schemas import CalendarFeedOut
from app.domain.calendar.services import FEED_PATH, CalendarFeed, CalendarService
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


def provide_calendar(
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    settings: NamedDependency[Settings],
) -> CalendarService:
    return CalendarService(db_session, identity, settings)


def provide_calendar_feed(
    db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> CalendarFeed:
    return CalendarFeed(db_session, settings)


class CalendarController(Controller):
    path = "/api/v1/me/calendar"
    tags = ["calendar"]
    dependencies = {"calendar": Provide(provide_calendar, sync_to_thread=False)}

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
    async def create(self, calendar: NamedDependency[CalendarService]) -> CalendarFeedOut:
        feed = await calendar.create()
        return CalendarFeedOut(
            url=feed.url,
            detail="Subscribe to this URL in your calendar application. It is shown once; anyone "
            "who has it sees your feed, so revoke it (DELETE /api/v1/me/calendar) if it leaks.",
        )

    @delete("/", status_code=204, summary="Revoke my calendar feed (its URL answers 404)")
    async def revoke(self, calendar: NamedDependency[CalendarService]) -> None:
        """Calendar applications subscribed to the old URL get 404 from now on."""
        await calendar.revoke()


class CalendarFeedController(Controller):
    """The feed itself: no login, the token in the URL is the credential."""

    path = FEED_PATH
    include_in_schema = False
    dependencies = {"calendar_feed": Provide(provide_calendar_feed, sync_to_thread=False)}

    @get("/{feed:str}", summary="A calendar feed (iCalendar)")
    async def feed(
        self,
        request: Request[Any, Any, Any],
        calendar_feed: NamedDependency[CalendarFeed],
        feed: FromPath[str],
    ) -> Response[str]:
        token = feed.removesuffix(FEED_SUFFIX) if feed.endswith(FEED_SUFFIX) else ""
        user = await calendar_feed.owner(token)
        if user is None:
            raise NotFound("No such calendar.")
        request.state.user_id = str(user.id)  # the access log's ids, as for a login
        request.state.organization_id = str(user.organization_id)
        text = await calendar_feed.text(user, utcnow())
        return Response(text, media_type="text/calendar", headers=FEED_HEADERS)
