"""The learner's side of the items: their feed, an item and its answers, and when the next
approved items arrive (the date only: an item's words stay behind the gate until its day)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Answer, Suggestion
from app.db.models.enums import Role, SuggestionState
from app.domain import access
from app.domain.webhooks import events as webhooks
from app.lib.clock import utcnow
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page


async def answers_to_items(
    db: AsyncSession, identity: Identity, item_ids: Sequence[UUID]
) -> defaultdict[UUID, list[Answer]]:
    """The answers to these items the identity may read (`access.visible_answers`: a
    learner's own; a coach's, their learners'), oldest first per item: the one query behind
    the learner's feed and the coach's review. The caller first checks it may see the items."""
    found: defaultdict[UUID, list[Answer]] = defaultdict(list)
    if not item_ids:
        return found
    rows = await db.scalars(
        select(Answer)
        .where(Answer.suggestion_id.in_(item_ids), access.visible_answers(identity))
        .order_by(Answer.id)
    )
    for answer in rows:
        found[answer.suggestion_id].append(answer)
    return found


class FeedService:
    """The learner's side: only what a coach approved, once it is due."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    def _visible(self) -> ColumnElement[bool]:
        self.identity.require_role(Role.LEARNER)
        return access.visible_suggestions(self.identity, utcnow())

    async def feed(self, page: PageParams) -> tuple[Sequence[Suggestion], str | None]:
        statement = select(Suggestion).where(self._visible())
        items, cursor = await fetch_page(self.db, statement, Suggestion.id, page, newest_first=True)
        await self._mark_delivered(items)
        return items, cursor

    async def _mark_delivered(self, items: Sequence[Suggestion]) -> None:
        now = utcnow()
        delivered = []
        for item in items:
            if item.state in (SuggestionState.APPROVED, SuggestionState.EDITED):
                item.state = SuggestionState.DELIVERED
                item.delivered_at = now
                delivered.append(item)
        await webhooks.items_event(self.db, webhooks.ITEM_DELIVERED, delivered)

    async def item(self, suggestion_id: UUID) -> Suggestion:
        found = await access.one_visible(
            self.db,
            Suggestion,
            suggestion_id,
            self._visible(),
            what="item in your feed",
            field="item_id",
        )
        await self._mark_delivered([found])
        return found

    async def answer(self, suggestion_id: UUID, text: str) -> Answer:
        item = await self.item(suggestion_id)
        answer = Answer(
            organization_id=item.organization_id,
            suggestion_id=item.id,
            learner_id=self.identity.user_id,
            text=text.strip(),
        )
        self.db.add(answer)
        await self.db.flush()
        await self.db.refresh(answer)
        await webhooks.answer_received(self.db, answer)
        return answer

    async def answers(self, suggestion_id: UUID) -> list[Answer]:
        await self.item(suggestion_id)
        return (await answers_to_items(self.db, self.identity, [suggestion_id]))[suggestion_id]

    async def answers_to(self, item_ids: Sequence[UUID]) -> dict[UUID, list[Answer]]:
        """The learner's answers to these items (a page of the feed), oldest first per item."""
        self.identity.require_role(Role.LEARNER)
        return await answers_to_items(self.db, self.identity, item_ids)

    async def coming_up(self) -> tuple[int, datetime | None]:
        """How many approved items are scheduled for later, and when the next one comes. Only
        the count and the date: an item's words reach the learner on its day, not before."""
        count, first = (
            await self.db.execute(
                select(func.count(Suggestion.id), func.min(Suggestion.deliver_at)).where(
                    access.scheduled_items(self.identity, utcnow())
                )
            )
        ).one()
        return int(count or 0), first
