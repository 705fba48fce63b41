"""Companions through the API: the learner invites, asks, reads, shares and revokes; a coach
reads the answers their learners shared. The companion's own page is in app/web/companion.py."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.companions.schemas import (
    CompanionIn,
    CompanionOut,
    CompanionPatch,
    FeedbackOut,
    FeedbackPatch,
    InvitedOut,
    QuestionDraftOut,
    RequestIn,
    RequestOut,
)
from app.domain.companions.services import CompanionService
from app.lib.clock import utcnow
from app.lib.errors import Conflict, NotFound
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.settings import Settings


def provide_companions(
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    settings: NamedDependency[Settings],
) -> CompanionService:
    return CompanionService(db_session, identity, settings)


_DEPENDENCIES = {"companions": Provide(provide_companions, sync_to_thread=False)}


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

    @patch("/{feedback_id:uuid}", summary="Share a companion's answer with my coach, or stop")
    async def share(
        self,
        companions: NamedDependency[CompanionService],
        feedback_id: FromPath[UUID],
        data: JSONBody[FeedbackPatch],
    ) -> FeedbackOut:
        """The learner decides whether their coach reads this answer. Learner only."""
        return await companions.share(feedback_id, data)
