"""The organisation's bank of contextualization questions (rules in services)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import Language, QuestionScale
from app.domain.question_bank.schemas import QuestionIn, QuestionOut
from app.domain.question_bank.services import QuestionBankService
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import NO_NUL, Page


def provide_question_bank(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> QuestionBankService:
    return QuestionBankService(db_session, identity)


class QuestionBankController(Controller):
    path = "/api/v1/question-bank"
    tags = ["question bank"]
    dependencies = {"question_bank": Provide(provide_question_bank, sync_to_thread=False)}

    @get("/", summary="Questions, filtered by skill, scale and language")
    async def list_questions(
        self,
        question_bank: NamedDependency[QuestionBankService],
        page: NamedDependency[PageParams],
        skill: Annotated[
            str | None, QueryParameter(name="skill", max_length=100, pattern=NO_NUL)
        ] = None,
        scale: Annotated[QuestionScale | None, QueryParameter(name="scale")] = None,
        language: Annotated[Language | None, QueryParameter(name="language")] = None,
    ) -> Page[QuestionOut]:
        """The organisation's approved questions for reuse, filtered by skill, scale and language, a
        page at a time."""
        items, cursor = await question_bank.list(page, skill=skill, scale=scale, language=language)
        return Page(items=[QuestionOut.of(q) for q in items], next_cursor=cursor)

    @post("/", summary="Add a question")
    async def add(
        self, question_bank: NamedDependency[QuestionBankService], data: JSONBody[QuestionIn]
    ) -> QuestionOut:
        """Adds a question to the organisation's bank. Coach or admin."""
        return QuestionOut.of(await question_bank.add(data))

    @delete("/{question_id:uuid}", summary="Remove a question")
    async def remove(
        self, question_bank: NamedDependency[QuestionBankService], question_id: FromPath[UUID]
    ) -> None:
        """Removes a question from the organisation's bank. Coach or admin."""
        await question_bank.remove(question_id)
