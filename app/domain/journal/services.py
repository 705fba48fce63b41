"""The learner's journal: their own notes, private unless they share one with their coach."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import JournalEntry
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.journal.schemas import JournalEntryIn, JournalEntryPatch
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page


class JournalService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def list(
        self, page: PageParams, learner_id: UUID | None = None
    ) -> tuple[Sequence[JournalEntry], str | None]:
        """Newest first. A coach may narrow the shared entries to one learner."""
        self.identity.require_role(Role.LEARNER, Role.COACH)
        statement = select(JournalEntry).where(access.visible_journal_entries(self.identity))
        if learner_id is not None:
            statement = statement.where(JournalEntry.learner_id == learner_id)
        return await fetch_page(self.db, statement, JournalEntry.id, page, newest_first=True)

    async def shared_count(self) -> int:
        """How many of the learner's entries their coach may read now."""
        self.identity.require_role(Role.LEARNER)
        count = await self.db.scalar(
            select(func.count(JournalEntry.id)).where(
                access.visible_journal_entries(self.identity),
                JournalEntry.shared_with_coach.is_(True),
            )
        )
        return int(count or 0)

    async def get(self, entry_id: UUID) -> JournalEntry:
        self.identity.require_role(Role.LEARNER, Role.COACH)
        return await access.one_visible(
            self.db,
            JournalEntry,
            entry_id,
            access.visible_journal_entries(self.identity),
            what="journal entry",
            field="entry_id",
        )

    async def _own(self, entry_id: UUID) -> JournalEntry:
        self.identity.require_role(Role.LEARNER)
        return await self.get(entry_id)

    async def create(self, data: JournalEntryIn) -> JournalEntry:
        self.identity.require_role(Role.LEARNER)
        entry = JournalEntry(
            organization_id=self.identity.organization_id,
            learner_id=self.identity.user_id,
            text=data.text.strip(),
            shared_with_coach=data.shared_with_coach,
        )
        self.db.add(entry)
        await self.db.flush()
        await self.db.refresh(entry)
        return entry

    async def update(self, entry_id: UUID, data: JournalEntryPatch) -> JournalEntry:
        entry = await self._own(entry_id)
        if data.text is not None:
            entry.text = data.text.strip()
        if data.shared_with_coach is not None and data.shared_with_coach != entry.shared_with_coach:
            entry.shared_with_coach = data.shared_with_coach
            # Who saw what, and since when, matters to the learner: the audit keeps the switch.
            audit.record(
                self.db,
                organization_id=self.identity.organization_id,
                actor_id=self.identity.user_id,
                action="journal.share" if data.shared_with_coach else "journal.unshare",
                target_type="journal_entry",
                target_id=entry.id,
            )
        await self.db.flush()
        await self.db.refresh(entry)
        return entry

    async def delete(self, entry_id: UUID) -> None:
        entry = await self._own(entry_id)
        await self.db.delete(entry)
