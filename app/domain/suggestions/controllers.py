from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import IntegrationScope, ReviewOutcome, SuggestionState
from app.domain.question_bank.schemas import QuestionOut
from app.domain.suggestions.feed import FeedService
from app.domain.suggestions.schemas import (
    AnswerIn,
    AnswerOut,
    ApproveIn,
    BatchIn,
    BatchOut,
    EditIn,
    FeedItemOut,
    RejectIn,
    SaveToBankIn,
    SuggestionOut,
)
from app.domain.suggestions.services import ReviewService
from app.lib.errors import Conflict, NotFound
from app.lib.identity import INTEGRATION_SCOPE, Identity, open_to
from app.lib.openapi import errors
from app.lib.pagination import PageParams
from app.lib.schema import Page


def provide_review(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> ReviewService:
    return ReviewService(db_session, identity)


def provide_feed(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> FeedService:
    return FeedService(db_session, identity)


class SuggestionController(Controller):
    """The coach's review queue."""

    path = "/api/v1/suggestions"
    tags = ["suggestions"]
    dependencies = {"review": Provide(provide_review, sync_to_thread=False)}

    @get("/", summary="Review queue", description="Suggestions for my learners, oldest first.")
    async def queue(
        self,
        review: NamedDependency[ReviewService],
        page: NamedDependency[PageParams],
        state_filter: Annotated[SuggestionState | None, QueryParameter(name="state")] = None,
        learner_id: Annotated[UUID | None, QueryParameter(name="learner_id")] = None,
    ) -> Page[SuggestionOut]:
        items, cursor = await review.queue(page, state=state_filter, learner_id=learner_id)
        return Page(items=[SuggestionOut.of(s) for s in items], next_cursor=cursor)

    @get("/{suggestion_id:uuid}", summary="One suggestion")
    async def get_one(
        self, review: NamedDependency[ReviewService], suggestion_id: FromPath[UUID]
    ) -> SuggestionOut:
        """One draft or reviewed item for one of the coach's learners."""
        return SuggestionOut.of(await review.get(suggestion_id))

    @post(
        "/{suggestion_id:uuid}/approve",
        status_code=200,
        summary="Approve as drafted",
        responses=errors(Conflict),
    )
    async def approve(
        self,
        review: NamedDependency[ReviewService],
        suggestion_id: FromPath[UUID],
        data: JSONBody[ApproveIn],
    ) -> SuggestionOut:
        """Approves a pending draft as written, to reach the learner when due. Only a draft pending
        review can be approved: otherwise 409."""
        return SuggestionOut.of(await review.approve(suggestion_id, data.deliver_at))

    @post(
        "/{suggestion_id:uuid}/edit",
        status_code=200,
        summary="Edit, then approve",
        responses=errors(Conflict),
    )
    async def edit(
        self,
        review: NamedDependency[ReviewService],
        suggestion_id: FromPath[UUID],
        data: JSONBody[EditIn],
    ) -> SuggestionOut:
        """Replaces a pending draft's text and approves it. Only a draft pending review: otherwise
        409."""
        return SuggestionOut.of(await review.edit(suggestion_id, data.text, data.deliver_at))

    @post(
        "/{suggestion_id:uuid}/reject",
        status_code=200,
        summary="Reject with a reason",
        responses=errors(Conflict),
    )
    async def reject(
        self,
        review: NamedDependency[ReviewService],
        suggestion_id: FromPath[UUID],
        data: JSONBody[RejectIn],
    ) -> SuggestionOut:
        """Rejects a pending draft with a reason; the learner never sees it. Only a draft pending
        review: otherwise 409."""
        return SuggestionOut.of(await review.reject(suggestion_id, data.reason))

    @post(
        "/batch",
        status_code=200,
        summary="Approve or reject several at once (all or none)",
        responses=errors(NotFound, Conflict),
    )
    async def batch(
        self, review: NamedDependency[ReviewService], data: JSONBody[BatchIn]
    ) -> BatchOut:
        """Approves or rejects several pending drafts in one decision: all change, or none does. An
        id the coach may not see answers 404, one already reviewed 409."""
        items = await review.batch(
            data.ids,
            ReviewOutcome(data.decision),
            reason=data.reason,
            deliver_at=data.deliver_at,
        )
        return BatchOut(items=[SuggestionOut.of(s) for s in items])

    @get("/{suggestion_id:uuid}/answers", summary="The learner's answers to this item")
    async def answers(
        self, review: NamedDependency[ReviewService], suggestion_id: FromPath[UUID]
    ) -> list[AnswerOut]:
        """What the learner answered to this delivered item, oldest first. For the item's coach."""
        return [AnswerOut.of(a) for a in await review.answers(suggestion_id)]

    @post(
        "/{suggestion_id:uuid}/save-to-bank",
        summary="Save an approved question to the bank",
        responses=errors(Conflict),
    )
    async def save_to_bank(
        self,
        review: NamedDependency[ReviewService],
        suggestion_id: FromPath[UUID],
        data: JSONBody[SaveToBankIn],
    ) -> QuestionOut:
        """Saves an approved question to the organisation's question bank, for reuse in later plans.
        A question not approved yet answers 409."""
        entry = await review.save_to_bank(suggestion_id, scale=data.scale, skill=data.skill)
        return QuestionOut.of(entry)


class FeedController(Controller):
    """The learner's feed: approved items only, once due."""

    path = "/api/v1/feed"
    tags = ["feed"]
    # Learner tokens with `review:read` read the feed; answering stays the learner's own act.
    opt = open_to(IntegrationScope.REVIEW_READ)
    dependencies = {"feed": Provide(provide_feed, sync_to_thread=False)}

    @get("/", summary="My delivered items, newest first")
    async def list_items(
        self, feed: NamedDependency[FeedService], page: NamedDependency[PageParams]
    ) -> Page[FeedItemOut]:
        """The learner's delivered items, newest first: only what a coach approved and whose
        delivery time has come."""
        items, cursor = await feed.feed(page)
        return Page(items=[FeedItemOut.of(s) for s in items], next_cursor=cursor)

    @get("/{item_id:uuid}", summary="One delivered item")
    async def get_one(
        self, feed: NamedDependency[FeedService], item_id: FromPath[UUID]
    ) -> FeedItemOut:
        """One item delivered to the learner: approved by the coach and due. Drafts and items not
        yet due answer 404."""
        return FeedItemOut.of(await feed.item(item_id))

    @post(
        "/{item_id:uuid}/answers",
        summary="Answer a reflection or question",
        opt={INTEGRATION_SCOPE: None},
    )
    async def answer(
        self, feed: NamedDependency[FeedService], item_id: FromPath[UUID], data: JSONBody[AnswerIn]
    ) -> AnswerOut:
        """Stores the learner's answer to a delivered reflection or question, for their coach to
        read. Items not delivered yet answer 404, as unknown ones do."""
        return AnswerOut.of(await feed.answer(item_id, data.text))

    @get("/{item_id:uuid}/answers", summary="My answers to this item")
    async def answers(
        self, feed: NamedDependency[FeedService], item_id: FromPath[UUID]
    ) -> list[AnswerOut]:
        """The learner's own answers to one delivered item, oldest first."""
        return [AnswerOut.of(a) for a in await feed.answers(item_id)]
