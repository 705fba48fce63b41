"""The organisation's bank of contextualization questions: coaches and admins curate it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import QuestionBankEntry
from app.db.models.enums import Language, QuestionScale, Role
from app.domain import access, audit
from app.domain.question_bank.schemas import QuestionIn, QuestionOut
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.schema import NO_NUL, Page

CURATORS = (Role.COACH, Role.ADMIN)


class QuestionBankController(Controller):
    path = "/api/v1/question-bank"
    tags = ["question bank"]

    @get("/", summary="Questions, filtered by skill, scale and language")
    async def list_questions(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
        skill: Annotated[
            str | None, QueryParameter(name="skill", max_length=100, pattern=NO_NUL)
        ] = None,
        scale: Annotated[QuestionScale | None, QueryParameter(name="scale")] = None,
        language: Annotated[Language | None, QueryParameter(name="language")] = None,
    ) -> Page[QuestionOut]:
        """The organisation's approved questions for reuse, filtered by skill, scale and language, a
        page at a time."""
        identity.require_role(*CURATORS)
        statement = select(QuestionBankEntry).where(access.in_tenant(QuestionBankEntry, identity))
        if skill:
            statement = statement.where(QuestionBankEntry.skill == skill)
        if scale:
            statement = statement.where(QuestionBankEntry.scale == scale)
        if language:
            statement = statement.where(QuestionBankEntry.language == language)
        items, cursor = await fetch_page(db_session, statement, QuestionBankEntry.id, page)
        return Page(items=[QuestionOut.of(q) for q in items], next_cursor=cursor)

    @post("/", summary="Add a question")
    async def add(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        data: JSONBody[QuestionIn],
    ) -> QuestionOut:
        """Adds a question to the organisation's bank. Coach or admin."""
        identity.require_role(*CURATORS)
        entry = QuestionBankEntry(
            organization_id=identity.organization_id,
            skill=data.skill.strip(),
            scale=data.scale,
            language=data.language,
            text=data.text.strip(),
            approved_by_id=identity.user_id,
        )
        db_session.add(entry)
        await db_session.flush()
        await db_session.refresh(entry)
        return QuestionOut.of(entry)

    @delete("/{question_id:uuid}", summary="Remove a question")
    async def remove(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        question_id: FromPath[UUID],
    ) -> None:
        """Removes a question from the organisation's bank. Coach or admin."""
        identity.require_role(*CURATORS)
        entry = await access.one_in_tenant(
            db_session,
            QuestionBankEntry,
            question_id,
            identity,
            what="question",
            field="question_id",
        )
        await db_session.delete(entry)
        audit.record(
            db_session,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="question_bank.delete",
            target_type="question_bank_entry",
            target_id=question_id,
        )
