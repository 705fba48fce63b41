"""Companions through the API: the learner invites, asks, reads, shares and revokes; a coach
reads the answers their learners shared. The companion's own page is in app/web/companion.py."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import Role
from app.domain.companions.overview import CompanionOverviewService
from app.domain.companions.schemas import (
    AggregateOut,
    CircleMemberOut,
    CompanionIn,
    CompanionOut,
    CompanionPatch,
    FeedbackOut,
    FeedbackPatch,
    InvitedOut,
    QuestionDraftOut,
    RequestIn,
    RequestOut,
    SuggestionIn,
    SuggestionOut,
)
from app.domain.companions.services import CompanionService
from app.domain.companions.suggestions import CompanionSuggestionService
from app.lib.clock import utcnow
from app.lib.errors import Conflict, Forbidden, NotFound
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.settings import Settings


def provide_companions(
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    settings: NamedDependency[Settings],
) -> CompanionService:
    return CompanionService(db_session, identity, settings)


def provide_overview(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> CompanionOverviewService:
    return CompanionOverviewService(db_session, identity)


def provide_suggestions(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> CompanionSuggestionService:
    return CompanionSuggestionService(db_session, identity)


_DEPENDENCIES = {
    "companions": Provide(provide_companions, sync_to_thread=False),
    "overview": Provide(provide_overview, sync_to_thread=False),
}


class CompanionController(Controller):
    path = "/api/v1/companions"
    tags = ["companions"]
    dependencies = _DEPENDENCIES

    @get("/", summary="My companions (learner)")
    async def list_companions(
        self, companions: NamedDependency[CompanionService]
    ) -> list[CompanionOut]:
        """The people the learner invited to accompany their goal, newest first, with their
        link's status (active, revoked, expired). Never the link itself."""
        now = utcnow()
        return [CompanionOut.of(c, now) for c in await companions.mine()]

    @post(
        "/",
        summary="Invite a companion to accompany my goal (learner)",
        responses=errors(Conflict, NotFound),
    )
    async def invite(
        self, companions: NamedDependency[CompanionService], data: JSONBody[CompanionIn]
    ) -> InvitedOut:
        """Invites someone (no account needed) to give feedback on the learner's goal, with a
        first question the learner reviewed. Their magic link (30 days, revocable) is e-mailed
        when SMTP is configured; otherwise it is returned once in `link`, for the learner to
        pass on. 409 when the learner follows no program."""
        return await companions.invite(data)

    @get(
        "/question-draft",
        summary="A feedback question drafted from my goal (learner)",
        responses=errors(Conflict, NotFound),
    )
    async def draft_question(
        self,
        companions: NamedDependency[CompanionService],
        enrollment_id: Annotated[UUID | None, QueryParameter(name="enrollment_id")] = None,
    ) -> QuestionDraftOut:
        """A focused question ("What did you notice when I ...?") drafted from the goal in the
        learner's language, to review and edit before sending it; nothing is stored."""
        return await companions.draft(enrollment_id)

    @get(
        "/circle",
        summary="Who accompanies a learner of mine, and what is still open (coach)",
        responses=errors(Forbidden, NotFound),
    )
    async def circle(
        self,
        overview: NamedDependency[CompanionOverviewService],
        learner_id: Annotated[UUID, QueryParameter(name="learner_id")],
    ) -> list[CircleMemberOut]:
        """A learner's companions as their coach sees them: relation, link status, how many
        questions were sent and answered, the questions still open; a name only where the
        learner allowed it, never an address. 404 for anyone but one of the coach's
        learners."""
        return await overview.circle(learner_id)

    @get("/{companion_id:uuid}", summary="One of my companions (learner)")
    async def get_companion(
        self, companions: NamedDependency[CompanionService], companion_id: FromPath[UUID]
    ) -> CompanionOut:
        """One companion of the learner's."""
        return CompanionOut.of(await companions.get(companion_id), utcnow())

    @patch("/{companion_id:uuid}", summary="Show or hide a companion's name to my coach")
    async def update(
        self,
        companions: NamedDependency[CompanionService],
        companion_id: FromPath[UUID],
        data: JSONBody[CompanionPatch],
    ) -> CompanionOut:
        """Whether the coach sees this companion's name beside shared feedback (otherwise the
        relation only: "a peer", "a colleague")."""
        return CompanionOut.of(await companions.update(companion_id, data), utcnow())

    @post("/{companion_id:uuid}/revoke", summary="Revoke a companion: their link dies at once")
    async def revoke(
        self, companions: NamedDependency[CompanionService], companion_id: FromPath[UUID]
    ) -> CompanionOut:
        """The companion's link stops working at once (their page then says it was withdrawn).
        What they wrote stays the learner's. Revoking twice changes nothing."""
        return CompanionOut.of(await companions.revoke(companion_id), utcnow())

    @get("/{companion_id:uuid}/requests", summary="The questions I sent a companion")
    async def list_requests(
        self, companions: NamedDependency[CompanionService], companion_id: FromPath[UUID]
    ) -> list[RequestOut]:
        """The learner's questions to this companion, oldest first, answered or not."""
        return [RequestOut.of(r) for r in await companions.requests(companion_id)]

    @post(
        "/{companion_id:uuid}/requests",
        summary="Ask a companion another question (learner)",
        responses=errors(Conflict),
    )
    async def ask(
        self,
        companions: NamedDependency[CompanionService],
        companion_id: FromPath[UUID],
        data: JSONBody[RequestIn],
    ) -> RequestOut:
        """A new question, shown on the companion's page the next time they open their link.
        409 when the link was revoked or has expired."""
        return RequestOut.of(await companions.ask(companion_id, data))


class CompanionFeedbackController(Controller):
    path = "/api/v1/companion-feedback"
    tags = ["companions"]
    dependencies = _DEPENDENCIES

    @get("/", summary="Companions' answers (learner: all; coach: those shared with me)")
    async def list_feedback(
        self,
        companions: NamedDependency[CompanionService],
        learner_id: Annotated[UUID | None, QueryParameter(name="learner_id")] = None,
    ) -> list[FeedbackOut]:
        """A learner reads every answer their companions gave; a coach reads the answers their
        learners shared, with the companion's name only if the learner allowed it."""
        return await companions.feedback(learner_id)

    @get(
        "/aggregate",
        summary="Companions' answers to a goal, anonymous, once three answered",
    )
    async def aggregate(
        self,
        overview: NamedDependency[CompanionOverviewService],
        learner_id: Annotated[UUID | None, QueryParameter(name="learner_id")] = None,
    ) -> list[AggregateOut]:
        """Per goal, the facts, effects and suggestions of at least three companions, with no
        name, relation, id or date, each list in an order unrelated to who answered or when.
        A goal fewer than three companions answered has no aggregate. A coach's aggregate
        counts only the answers the learner shared, so it needs three shared answers."""
        return await overview.aggregates(learner_id)

    @patch("/{feedback_id:uuid}", summary="Share a companion's answer with my coach, or stop")
    async def share(
        self,
        companions: NamedDependency[CompanionService],
        feedback_id: FromPath[UUID],
        data: JSONBody[FeedbackPatch],
    ) -> FeedbackOut:
        """The learner decides whether their coach reads this answer. Learner only."""
        return await companions.share(feedback_id, data)


class CompanionSuggestionController(Controller):
    """A coach suggests whom a learner might ask and what; the learner takes it up (an
    invitation with `suggestion_id`) or dismisses it."""

    path = "/api/v1/companion-suggestions"
    tags = ["companions"]
    dependencies = {"suggestions": Provide(provide_suggestions, sync_to_thread=False)}

    @post(
        "/",
        summary="Suggest to a learner of mine whom to ask for feedback, and what (coach)",
        responses=errors(Conflict, Forbidden, NotFound),
    )
    async def suggest(
        self, suggestions: NamedDependency[CompanionSuggestionService], data: JSONBody[SuggestionIn]
    ) -> SuggestionOut:
        """`who` is a kind of person ("a peer who saw you in the Monday meeting"), not an
        address; the learner chooses the person and reviews the question. 404 for anyone but
        one of the coach's learners."""
        return SuggestionOut.of(await suggestions.suggest(data), learner=False)

    @get("/", summary="Suggestions of whom to ask (learner: mine; coach: my learners')")
    async def list_suggestions(
        self,
        suggestions: NamedDependency[CompanionSuggestionService],
        learner_id: Annotated[UUID | None, QueryParameter(name="learner_id")] = None,
        status: Annotated[
            Literal["open", "taken", "dismissed"] | None, QueryParameter(name="status")
        ] = None,
    ) -> list[SuggestionOut]:
        """Newest first, with their status: open, taken (an invitation was sent from it) or
        dismissed. A coach never learns whom the learner invited."""
        learner = suggestions.identity.role is Role.LEARNER
        rows = await suggestions.find(learner_id, status=status)
        return [SuggestionOut.of(row, learner=learner) for row in rows]

    @post(
        "/{companion_suggestion_id:uuid}/dismiss",
        summary="Set aside a coach's suggestion (learner)",
        responses=errors(Conflict),
    )
    async def dismiss(
        self,
        suggestions: NamedDependency[CompanionSuggestionService],
        companion_suggestion_id: FromPath[UUID],
    ) -> SuggestionOut:
        """The coach then sees it dismissed. 409 if it was taken up already."""
        return SuggestionOut.of(await suggestions.dismiss(companion_suggestion_id), learner=True)
