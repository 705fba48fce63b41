"""Companions: people a learner invites to give feedback on their goal, and what they answer.

The learner holds every decision: whom to invite, the question (drafted from the goal,
reviewed and sent by the learner, not approved by the coach: it is the learner's question to
a person they chose), which answers their coach may read, and when a companion's link dies.
A coach reads only shared answers, and a companion's name only if the learner allowed it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Companion, CompanionFeedback, Enrollment, FeedbackRequest, User
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.companions.mail import queue_companion_mail
from app.domain.companions.question import draft_question
from app.domain.companions.schemas import (
    CompanionExport,
    CompanionIn,
    CompanionOut,
    CompanionPatch,
    FeedbackOut,
    FeedbackPatch,
    InvitedOut,
    QuestionDraftOut,
    RequestIn,
    RequestOut,
    feedback_out,
)
from app.domain.companions.suggestions import CompanionSuggestionService
from app.lib.clock import utcnow
from app.lib.errors import Conflict, NotFound
from app.lib.identity import Identity
from app.lib.security import new_token, sha256_hex
from app.settings import Settings

# Long enough for a busy colleague to find a moment, short enough that a forgotten link dies.
LINK_TTL = timedelta(days=30)
LINK_PATH = "/c/"
MAX_COMPANIONS = 20  # per learner: a circle of regard, not a mailing list


def link_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{LINK_PATH}{token}"


def language_of(user: User) -> str:
    return "fr" if user.locale.value.startswith("fr") else "en"


def is_open(companion: Companion, now: datetime) -> bool:
    return companion.revoked_at is None and companion.expires_at > now


class CompanionService:
    def __init__(
        self, db: AsyncSession, identity: Identity, settings: Settings | None = None
    ) -> None:
        """`settings`: needed to invite (the link's address, whether mail is sent) only."""
        self.db = db
        self.identity = identity
        self._settings = settings

    @property
    def settings(self) -> Settings:
        if self._settings is None:  # a wiring mistake, not a request's
            raise RuntimeError("CompanionService needs the settings to invite")
        return self._settings

    async def _me(self) -> User:
        self.identity.require_role(Role.LEARNER)
        user = await self.db.get(User, self.identity.user_id)
        if user is None:
            raise NotFound("Your account no longer exists.")
        return user

    async def _enrollment(self, enrollment_id: UUID | None) -> Enrollment:
        statement = select(Enrollment).where(
            access.visible_enrollments(self.identity), Enrollment.is_active.is_(True)
        )
        if enrollment_id is not None:
            statement = statement.where(Enrollment.id == enrollment_id)
        found = await self.db.scalar(statement.order_by(Enrollment.id.desc()).limit(1))
        if found is None:
            if enrollment_id is not None:
                raise NotFound("No such enrollment of yours.", field="enrollment_id")
            raise Conflict(
                "You follow no program yet: a companion accompanies a program's goal.",
                field="enrollment_id",
            )
        return found

    async def draft(self, enrollment_id: UUID | None = None) -> QuestionDraftOut:
        """A question from the goal, in the learner's language, for them to review."""
        me = await self._me()
        enrollment = await self._enrollment(enrollment_id)
        language = language_of(me)
        return QuestionDraftOut(
            question=draft_question(enrollment.goal, language),
            language=language,
            goal=enrollment.goal,
        )

    async def mine(self) -> list[Companion]:
        self.identity.require_role(Role.LEARNER)
        rows = await self.db.scalars(
            select(Companion)
            .where(access.visible_companions(self.identity))
            .order_by(Companion.id.desc())
        )
        return list(rows)

    async def get(self, companion_id: UUID) -> Companion:
        self.identity.require_role(Role.LEARNER)
        return await access.one_visible(
            self.db,
            Companion,
            companion_id,
            access.visible_companions(self.identity),
            what="companion",
            field="companion_id",
        )

    async def invite(self, data: CompanionIn) -> InvitedOut:
        """A companion and their first request; the link is mailed, or given back once."""
        me = await self._me()
        enrollment = await self._enrollment(data.enrollment_id)
        suggestions = CompanionSuggestionService(self.db, self.identity)
        if data.suggestion_id is not None:
            await suggestions.check_open(data.suggestion_id)
        if len(await self.mine()) >= MAX_COMPANIONS:
            raise Conflict(
                f"You have {MAX_COMPANIONS} companions already: revoke one first.",
                field="email",
            )
        token, now = new_token(), utcnow()
        companion = Companion(
            organization_id=self.identity.organization_id,
            learner_id=me.id,
            enrollment_id=enrollment.id,
            name=data.name.strip(),
            email=data.email.strip(),
            relation=data.relation,
            goal=enrollment.goal,
            name_visible_to_coach=data.name_visible_to_coach,
            token_hash=sha256_hex(token),
            expires_at=now + LINK_TTL,
        )
        self.db.add(companion)
        await self.db.flush()
        request = await self._request(companion, data.question)
        if data.suggestion_id is not None:
            await suggestions.take(data.suggestion_id, companion)
        url = link_url(self.settings, token)
        if self.settings.sends_mail:
            await queue_companion_mail(
                self.db,
                companion,
                learner_name=first_name(me),
                language=language_of(me),
                question=request.question,
                link=url,
                key=sha256_hex(token),
            )
        self._audit("companion.invite", "companion", companion.id, relation=data.relation)
        await self.db.flush()
        await self.db.refresh(companion)
        return InvitedOut(
            companion=CompanionOut.of(companion, now),
            request=RequestOut.of(request),
            mailed=self.settings.sends_mail,
            link=None if self.settings.sends_mail else url,
        )

    async def _request(self, companion: Companion, question: str) -> FeedbackRequest:
        request = FeedbackRequest(
            organization_id=companion.organization_id,
            companion_id=companion.id,
            learner_id=companion.learner_id,
            question=question.strip(),
        )
        self.db.add(request)
        await self.db.flush()
        await self.db.refresh(request)
        return request

    async def ask(self, companion_id: UUID, data: RequestIn) -> FeedbackRequest:
        """Another question to a companion whose link still works; they see it on their page."""
        companion = await self.get(companion_id)
        if not is_open(companion, utcnow()):
            raise Conflict(
                "This companion's link was revoked or has expired: invite them again.",
                field="companion_id",
            )
        request = await self._request(companion, data.question)
        self._audit("companion.request", "feedback_request", request.id)
        return request

    async def requests(self, companion_id: UUID) -> list[FeedbackRequest]:
        companion = await self.get(companion_id)
        rows = await self.db.scalars(
            select(FeedbackRequest)
            .where(
                access.in_tenant(FeedbackRequest, self.identity),
                FeedbackRequest.companion_id == companion.id,
            )
            .order_by(FeedbackRequest.id)
        )
        return list(rows)

    async def update(self, companion_id: UUID, data: CompanionPatch) -> Companion:
        companion = await self.get(companion_id)
        if data.name_visible_to_coach is not None:
            companion.name_visible_to_coach = data.name_visible_to_coach
            self._audit(
                "companion.name_" + ("shown" if data.name_visible_to_coach else "hidden"),
                "companion",
                companion.id,
            )
        await self.db.flush()
        await self.db.refresh(companion)
        return companion

    async def revoke(self, companion_id: UUID) -> Companion:
        """The link dies at once; what the companion wrote stays the learner's."""
        companion = await self.get(companion_id)
        if companion.revoked_at is None:
            companion.revoked_at = utcnow()
            self._audit("companion.revoke", "companion", companion.id)
        await self.db.flush()
        await self.db.refresh(companion)
        return companion

    async def feedback(self, learner_id: UUID | None = None) -> list[FeedbackOut]:
        """The learner's: every answer. A coach's: the answers their learners shared."""
        self.identity.require_role(Role.LEARNER, Role.COACH)
        statement = (
            select(CompanionFeedback, Companion, FeedbackRequest.question)
            .join(Companion, Companion.id == CompanionFeedback.companion_id)
            .join(FeedbackRequest, FeedbackRequest.id == CompanionFeedback.request_id)
            .where(access.visible_companion_feedback(self.identity))
            .order_by(CompanionFeedback.id.desc())
        )
        if learner_id is not None:
            statement = statement.where(CompanionFeedback.learner_id == learner_id)
        learner = self.identity.role is Role.LEARNER
        return [
            feedback_out(row, companion, question, named=learner or companion.name_visible_to_coach)
            for row, companion, question in (await self.db.execute(statement)).tuples()
        ]

    async def share(self, feedback_id: UUID, data: FeedbackPatch) -> FeedbackOut:
        self.identity.require_role(Role.LEARNER)
        row = await access.one_visible(
            self.db,
            CompanionFeedback,
            feedback_id,
            access.visible_companion_feedback(self.identity),
            what="feedback",
            field="feedback_id",
        )
        if row.shared_with_coach != data.shared_with_coach:
            row.shared_with_coach = data.shared_with_coach
            self._audit(
                "companion_feedback." + ("share" if data.shared_with_coach else "unshare"),
                "companion_feedback",
                row.id,
            )
        await self.db.flush()
        found = [f for f in await self.feedback() if f.id == row.id]
        return found[0]

    async def export(self) -> list[CompanionExport]:
        """For the learner's export: companions (without their link), questions, answers."""
        now, answers = utcnow(), await self.feedback()
        return [
            CompanionExport(
                companion=CompanionOut.of(companion, now),
                requests=[RequestOut.of(r) for r in await self.requests(companion.id)],
                feedback=[a for a in answers if a.companion_id == companion.id],
            )
            for companion in await self.mine()
        ]

    def _audit(self, action: str, target_type: str, target_id: UUID, **details: Any) -> None:
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            **details,
        )


def first_name(user: User) -> str:
    """All a companion learns of the learner's identity (the learner gave them the rest)."""
    words = user.display_name.split()
    return words[0] if words else ""
