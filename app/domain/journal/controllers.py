from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.journal.schemas import JournalEntryIn, JournalEntryOut, JournalEntryPatch
from app.domain.journal.services import JournalService
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import Page


def provide_journal(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> JournalService:
    return JournalService(db_session, identity)


class JournalController(Controller):
    path = "/api/v1/journal"
    tags = ["journal"]
    dependencies = {"journal": Provide(provide_journal, sync_to_thread=False)}

    @get("/", summary="My journal, newest first (coach: the entries my learners shared)")
    async def list_entries(
        self,
        journal: NamedDependency[JournalService],
        page: NamedDependency[PageParams],
        learner_id: Annotated[UUID | None, QueryParameter(name="learner_id")] = None,
    ) -> Page[JournalEntryOut]:
        """A learner's own journal entries, newest first; a coach sees the entries their learners
        shared, optionally of one learner."""
        items, cursor = await journal.list(page, learner_id)
        return Page(items=[JournalEntryOut.of(e) for e in items], next_cursor=cursor)

    @post("/", summary="Write a journal entry (learner); private unless shared_with_coach")
    async def create(
        self, journal: NamedDependency[JournalService], data: JSONBody[JournalEntryIn]
    ) -> JournalEntryOut:
        """Writes a journal entry. It stays private unless `shared_with_coach` is true. Learner
        only."""
        return JournalEntryOut.of(await journal.create(data))

    @get("/{entry_id:uuid}", summary="One journal entry")
    async def get_one(
        self, journal: NamedDependency[JournalService], entry_id: FromPath[UUID]
    ) -> JournalEntryOut:
        """One journal entry: the learner's own, or one shared with the caller as coach."""
        return JournalEntryOut.of(await journal.get(entry_id))

    @patch("/{entry_id:uuid}", summary="Edit, share with my coach or stop sharing (learner)")
    async def update(
        self,
        journal: NamedDependency[JournalService],
        entry_id: FromPath[UUID],
        data: JSONBody[JournalEntryPatch],
    ) -> JournalEntryOut:
        """Edits a journal entry's text, or shares it with the coach or stops sharing; only the
        fields sent change."""
        return JournalEntryOut.of(await journal.update(entry_id, data))

    @delete("/{entry_id:uuid}", summary="Delete a journal entry (learner)")
    async def remove(
        self, journal: NamedDependency[JournalService], entry_id: FromPath[UUID]
    ) -> None:
        """Deletes one of the learner's journal entries for good."""
        await journal.delete(entry_id)
