"""The learner's pages: delivered items to answer, the chat with the companion, the journal,
and 'my data' (what the coach sees, export, erasure). They read through the domain services,
as the API does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Suggestion
from app.db.models.enums import Role
from app.domain.coaching.services import CoachingService
from app.domain.conversations.services import ConversationService
from app.domain.journal.services import JournalService
from app.domain.people.services import PeopleService
from app.domain.suggestions.feed import FeedService
from app.lib.clock import utcnow
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.security import Passwords
from app.lib.time_zones import zone_of
from app.settings import Settings
from app.web.pages import PageController, Viewer, render

CONVERSATIONS_SHOWN = 50
JOURNAL_SHOWN = 50
MESSAGES_SHOWN = 200


@dataclass(frozen=True, slots=True)
class FeedSections:
    """The learner's home, in the order it is read: what arrived today, what arrived earlier
    and still waits for an answer (missed), then what was answered, by day."""

    today: list[Suggestion]
    waiting: list[tuple[date, Suggestion]]  # each with the day it arrived
    earlier: list[tuple[date, list[Suggestion]]]


def arrival(item: Suggestion) -> datetime:
    """When an item reached (or reaches) the learner: its day if it had one, else when first
    shown."""
    return item.deliver_at or item.delivered_at or item.created_at


def feed_sections(
    items: Sequence[Suggestion], answered: set[UUID], today: date, zone: ZoneInfo
) -> FeedSections:
    """`today` and the days are the learner's local ones (`zone`)."""
    todays: list[Suggestion] = []
    waiting: list[tuple[date, Suggestion]] = []
    days: dict[date, list[Suggestion]] = defaultdict(list)
    for item in sorted(items, key=arrival, reverse=True):
        day = arrival(item).astimezone(zone).date()
        if day >= today:
            todays.append(item)
        elif item.id not in answered:
            waiting.append((day, item))
        else:
            days[day].append(item)
    earlier = sorted(days.items(), key=lambda d: d[0], reverse=True)
    return FeedSections(today=todays, waiting=waiting, earlier=earlier)


async def _what_coach_sees(
    db: AsyncSession, identity: Identity, passwords: Passwords, settings: Settings
) -> dict[str, Any]:
    """The context of `learner/_what_coach_sees.html`, shown on the home and 'my data' pages:
    their coaches, and how many conversations and journal entries they share with them now."""
    coaches, _ = await PeopleService(db, identity, passwords).list_users(
        PageParams(20, None), Role.COACH
    )
    chats = ConversationService(db, identity, settings.max_message_chars)
    return {
        "coaches": [c.display_name for c in coaches],
        "shared": {
            "chats": await chats.shared_count(),
            "journal": await JournalService(db, identity).shared_count(),
        },
    }


class LearnerPages(PageController):
    path = "/me"

    @get("/", name="learner-home")
    async def home(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        settings: NamedDependency[Settings],
        viewer: NamedDependency[Viewer],
        page: NamedDependency[PageParams],
    ) -> Template:
        identity = viewer.identity
        identity.require_role(Role.LEARNER)
        feed = FeedService(db_session, identity)
        items, next_cursor = await feed.feed(page)
        answers = await feed.answers_to([i.id for i in items])
        # The learner's own day when they chose a zone, else the organisation's rhythm's.
        zone = zone_of(viewer.time_zone, settings.delivery_time_zone)
        return render(
            "learner/home.html",
            viewer,
            current="/me",
            feed=feed_sections(items, set(answers), utcnow().astimezone(zone).date(), zone),
            answers=answers,
            next_cursor=next_cursor,
            last_session=await CoachingService(db_session, identity).latest(),
            coming_up=await feed.coming_up(),
            **await _what_coach_sees(db_session, identity, passwords, settings),
        )

    @get("/journal", name="learner-journal")
    async def journal(
        self,
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[Viewer],
        page: NamedDependency[PageParams],
    ) -> Template:
        viewer.identity.require_role(Role.LEARNER)
        entries, next_cursor = await JournalService(db_session, viewer.identity).list(page)
        return render(
            "learner/journal.html",
            viewer,
            current="/me/journal",
            entries=entries,
            next_cursor=next_cursor,
        )

    @get("/data", name="learner-data")
    async def my_data(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        settings: NamedDependency[Settings],
        viewer: NamedDependency[Viewer],
    ) -> Template:
        identity = viewer.identity
        identity.require_role(Role.LEARNER)
        people = PeopleService(db_session, identity, passwords)
        me = await people.get_user(identity.user_id)
        return render(
            "learner/data.html",
            viewer,
            current="/me/data",
            email=me.email,
            **await _what_coach_sees(db_session, identity, passwords, settings),
        )

    @get("/chat", name="learner-chat")
    async def chat(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        viewer: NamedDependency[Viewer],
    ) -> Template:
        return await _chat_page(db_session, settings, viewer, None)

    @get("/chat/{conversation_id:uuid}", name="learner-conversation")
    async def conversation(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        viewer: NamedDependency[Viewer],
        conversation_id: FromPath[UUID],
    ) -> Template:
        return await _chat_page(db_session, settings, viewer, conversation_id)


async def _chat_page(
    db: AsyncSession, settings: Settings, viewer: Viewer, conversation_id: UUID | None
) -> Template:
    viewer.identity.require_role(Role.LEARNER)
    service = ConversationService(db, viewer.identity, settings.max_message_chars)
    conversations, _ = await service.list(PageParams(CONVERSATIONS_SHOWN, None))
    current = None
    messages: Sequence[object] = ()
    more = None
    if conversation_id is not None:
        current = await service.get(conversation_id)
        messages, more = await service.messages(conversation_id, PageParams(MESSAGES_SHOWN, None))
    return render(
        "learner/chat.html",
        viewer,
        current="/me/chat",
        conversations=conversations,
        conversation=current,
        messages=messages,
        more_messages=more is not None,
        max_chars=settings.max_message_chars,
    )
