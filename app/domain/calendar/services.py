"""A person's calendar feed: a secret URL a calendar application polls, revocable.

What the feed says: for a learner, their next coaching session(s) and the days approved items
are due; for a coach, the next sessions of the learners they coach, by name. Never what an item
says, nor anything of a session but its moment: calendars are synchronised to phones and shared
with assistants, so whatever is in one leaks.

The URL's token is the only credential (a calendar application cannot log in). Only its
SHA-256 is stored, like the password links' (app/domain/auth/links.py); making a new feed
replaces the old URL, revoking it kills it, and either answers 404 from then on. The access log
writes the route's template, never the path, so the token is not logged
(app/lib/logging.py). The rows are read through access.py with the owner's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CoachingSession, Suggestion, User
from app.db.models.enums import ApiScope, Role
from app.domain import access, audit
from app.domain.calendar.ical import Event, calendar
from app.lib.errors import NotFound
from app.lib.identity import Identity
from app.lib.security import new_token, sha256_hex
from app.lib.time_zones import zone_of
from app.settings import Settings

FEED_PATH = "/calendar"
FEED_ROLES = (Role.LEARNER, Role.COACH)  # an admin never reads coaching content
SESSION_LENGTH = timedelta(hours=1)  # the app does not know; an hour is what most are
ITEM_LENGTH = timedelta(minutes=15)
MAX_EVENTS = 200  # a feed is a glance at what comes, not an archive
UID_DOMAIN = "interlude"

WORDS = {
    "fr": {
        "calendar": "Interlude",
        "session": "Interlude : séance de coaching",
        "session_with": "Interlude : séance avec {name}",
        "item": "Interlude : une réflexion arrive",
        "items": "Interlude : {count} réflexions arrivent",
        "open": "Ouvrir Interlude : {url}",
    },
    "en": {
        "calendar": "Interlude",
        "session": "Interlude: coaching session",
        "session_with": "Interlude: session with {name}",
        "item": "Interlude: a reflection arrives",
        "items": "Interlude: {count} reflections arrive",
        "open": "Open Interlude: {url}",
    },
}


@dataclass(frozen=True, slots=True)
class NewFeed:
    url: str  # holds the token: shown once, never stored nor logged


def feed_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{FEED_PATH}/{token}.ics"


class CalendarService:
    """One's own feed: making its secret URL, revoking it."""

    def __init__(self, db: AsyncSession, identity: Identity, settings: Settings) -> None:
        self.db = db
        self.identity = identity
        self.settings = settings

    async def create(self) -> NewFeed:
        """A new secret URL for the caller's feed; the previous one, if any, stops working."""
        self.identity.require_role(*FEED_ROLES)
        user = await self._me()
        token = new_token()
        user.calendar_token_hash = sha256_hex(token)
        _audit(self.db, user, "calendar.feed_created")
        await self.db.flush()
        return NewFeed(url=feed_url(self.settings, token))

    async def revoke(self) -> None:
        user = await self._me()
        if user.calendar_token_hash is not None:
            user.calendar_token_hash = None
            _audit(self.db, user, "calendar.feed_revoked")
            await self.db.flush()

    async def _me(self) -> User:
        user = await self.db.get(User, self.identity.user_id)
        if user is None:
            raise NotFound("Your account no longer exists.")
        return user


class CalendarFeed:
    """The feed as a calendar application reads it: no login, so no identity to build the
    service from; the token in the URL names the owner, whose identity then reads the rows
    (the same rules as their pages)."""

    def __init__(self, db: AsyncSession, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def owner(self, token: str) -> User | None:
        """The active learner or coach whose feed this token opens, if any."""
        if not token:
            return None
        user: User | None = await self.db.scalar(
            select(User).where(User.calendar_token_hash == sha256_hex(token))
        )
        if user is None or not user.is_active or user.role not in FEED_ROLES:
            return None
        return user

    async def text(self, user: User, now: datetime) -> str:
        """The owner's feed, read with their identity."""
        identity = Identity(
            organization_id=user.organization_id,
            user_id=user.id,
            role=user.role,
            via="calendar",
            scopes=frozenset({ApiScope.READ}),
        )
        words = WORDS["en" if user.locale.value == "en" else "fr"]
        zone = zone_of(user.time_zone, self.settings.delivery_time_zone)
        events = await _sessions(self.db, identity, words, now, self.settings.public_url)
        if identity.is_learner:
            events += await _item_days(self.db, identity, words, now, zone)
        events.sort(key=lambda e: (e.start, e.uid))
        return calendar(events[:MAX_EVENTS], name=words["calendar"], stamp=now)


async def _sessions(
    db: AsyncSession, identity: Identity, words: dict[str, str], now: datetime, public_url: str
) -> list[Event]:
    rows = (
        await db.execute(
            select(CoachingSession.learner_id, CoachingSession.next_session_at, User.display_name)
            .join(User, User.id == CoachingSession.learner_id)
            .where(access.visible_sessions(identity), CoachingSession.next_session_at > now)
            .distinct()
            .order_by(CoachingSession.next_session_at)
            .limit(MAX_EVENTS)
        )
    ).all()
    events = []
    for learner_id, moment, name in rows:
        summary = words["session_with"].format(name=name) if identity.is_coach else words["session"]
        events.append(
            Event(
                uid=f"session-{learner_id}-{moment:%Y%m%dT%H%M%SZ}@{UID_DOMAIN}",
                start=moment,
                end=moment + SESSION_LENGTH,
                summary=summary,
                description=words["open"].format(url=public_url.rstrip("/")),
            )
        )
    return events


async def _item_days(
    db: AsyncSession, identity: Identity, words: dict[str, str], now: datetime, zone: ZoneInfo
) -> list[Event]:
    """One event a day items are due (the learner's own day), at the first one's moment."""
    moments = await db.scalars(
        select(Suggestion.deliver_at)
        .where(access.scheduled_items(identity, now))
        .order_by(Suggestion.deliver_at)
        .limit(MAX_EVENTS * 5)
    )
    by_day: dict[str, list[datetime]] = {}
    for moment in moments:
        if moment is None:  # excluded by the rule; for the type checker
            continue
        by_day.setdefault(moment.astimezone(zone).strftime("%Y%m%d"), []).append(moment)
    return [
        Event(
            uid=f"items-{identity.user_id}-{day}@{UID_DOMAIN}",
            start=found[0],
            end=found[0] + ITEM_LENGTH,
            summary=(words["item"] if len(found) == 1 else words["items"].format(count=len(found))),
            busy=False,
        )
        for day, found in by_day.items()
    ]


def _audit(db: AsyncSession, user: User, action: str) -> None:
    audit.record(
        db,
        organization_id=user.organization_id,
        actor_id=user.id,
        action=action,
        target_type="user",
        target_id=user.id,
    )
