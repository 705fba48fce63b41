"""The organisation's bank of contextualization questions: coaches and admins curate it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import QuestionBankEntry
from app.db.models.enums import Language, QuestionScale, Role
from app.domain import access, audit
from app.domain.question_bank.schemas import QuestionIn
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page

CURATORS = (Role.COACH, Role.ADMIN)


class QuestionBankService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def list(
        self,
        page: PageParams,
        *,
        skill: str | None = None,
        scale: QuestionScale | None = None,
        language: Language | None = None,
    ) -> tuple[Sequence[QuestionBankEntry], str | None]:
        self.identity.require_role(*CURATORS)
        statement = select(QuestionBankEntry).where(
            access.in_tenant(QuestionBankEntry, self.identity)
        )
        if skill:
            statement = statement.where(QuestionBankEntry.skill == skill)
        if scale:
            statement = statement.where(QuestionBankEntry.scale == scale)
        if language:
            statement = statement.where(QuestionBankEntry.language == language)
        return await fetch_page(self.db, statement, QuestionBankEntry.id, page)

    async def add(self, data: QuestionIn) -> QuestionBankEntry:
        self.identity.require_role(*CURATORS)
        entry = QuestionBankEntry(
            organization_id=self.identity.organization_id,
            skill=data.skill.strip(),
            scale=data.scale,
            language=data.language,
            text=data.text.strip(),
            approved_by_id=self.identity.user_id,
        )
        self.db.add(entry)
        await self.db.flush()
        await self.db.refresh(entry)
        return entry

    async def remove(self, question_id: UUID) -> None:
        self.identity.require_role(*CURATORS)
        entry = await access.one_in_tenant(
            self.db,
            QuestionBankEntry,
            question_id,
            self.identity,
            what="question",
            field="question_id",
        )
        await self.db.delete(entry)
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action="question_bank.delete",
            target_type="question_bank_entry",
            target_id=question_id,
        )
