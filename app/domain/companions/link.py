"""What a companion's magic link opens: no account, no login, only what the learner shared.

The token is the credential: looked up by its SHA-256, refused once revoked or expired (410,
so the page can say which), unknown (404) otherwise, e.g. after the learner's erasure. A
companion sees the learner's first name, the goal as shared and the open questions; nothing
of the organisation, no conversation, no answer of the learner.

The safety guard reads what a companion writes, as it reads a learner's message. A signal
about the learner is never stored silently: the answer is flagged and the companion is shown
the organisation's resources; an urgent one also alerts the coach (tier and category only,
never the words), as the chat does.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import anyio.to_thread
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.safety import SafetyGuard, SafetyVerdict
from app.db.models import (
    Companion,
    CompanionFeedback,
    Enrollment,
    Escalation,
    FeedbackRequest,
    Organization,
    User,
)
from app.domain import audit
from app.domain.companions.schemas import FeedbackIn
from app.domain.companions.services import first_name, is_open, language_of
from app.domain.notifications.alerts import AlertMail, queue_urgent_alert
from app.domain.organizations.schemas import Policy
from app.domain.webhooks import events as webhooks
from app.lib.clock import utcnow
from app.lib.errors import AppError, NotFound
from app.lib.metrics import get_metrics
from app.lib.security import sha256_hex

log = structlog.get_logger("interlude.companions")


class LinkGone(AppError):
    """A link that existed but was revoked by the learner or has expired."""

    status_code = 410
    code = "link_gone"


UNKNOWN_LINK = (
    "This link is not valid: check that it was copied whole, or ask the person who sent it."
)


@dataclass(frozen=True, slots=True)
class LinkView:
    companion: Companion
    learner_first_name: str
    language: str
    open_requests: list[FeedbackRequest]


@dataclass(frozen=True, slots=True)
class Answered:
    feedback: CompanionFeedback
    language: str
    # The guard's tier when it found something, with the organisation's resources for it.
    tier: str | None
    resources: tuple[tuple[str, str], ...]


class CompanionLink:
    def __init__(self, db: AsyncSession, token: str) -> None:
        self.db = db
        self.token = token

    async def _companion(self) -> Companion:
        if not self.token or len(self.token) > 200:
            raise NotFound(UNKNOWN_LINK, field="token")
        companion = await self.db.scalar(
            select(Companion).where(Companion.token_hash == sha256_hex(self.token))
        )
        if companion is None:
            raise NotFound(UNKNOWN_LINK, field="token")
        if companion.revoked_at is not None:
            raise LinkGone(
                "This link was withdrawn by the person who sent it.",
                field="token",
                code="link_revoked",
            )
        if not is_open(companion, utcnow()):
            raise LinkGone("This link has expired.", field="token", code="link_expired")
        return companion

    async def view(self) -> LinkView:
        companion = await self._companion()
        learner = await self.db.get(User, companion.learner_id)
        if learner is None:
            raise NotFound(UNKNOWN_LINK, field="token")
        requests = await self.db.scalars(
            select(FeedbackRequest)
            .where(
                FeedbackRequest.organization_id == companion.organization_id,
                FeedbackRequest.companion_id == companion.id,
                FeedbackRequest.answered_at.is_(None),
            )
            .order_by(FeedbackRequest.id)
        )
        return LinkView(
            companion=companion,
            learner_first_name=first_name(learner),
            language=language_of(learner),
            open_requests=list(requests),
        )

    async def answer(
        self, request_id: UUID, data: FeedbackIn, guard: SafetyGuard, mail: AlertMail | None
    ) -> Answered:
        view = await self.view()
        request = next((r for r in view.open_requests if r.id == request_id), None)
        if request is None:
            raise NotFound(
                "This question was answered already or is not yours to answer.",
                field="request_id",
            )
        text = "\n".join(part.strip() for part in (data.fact, data.effect, data.suggestion))
        verdict = await anyio.to_thread.run_sync(guard.check, text)
        companion, now = view.companion, utcnow()
        feedback = CompanionFeedback(
            organization_id=companion.organization_id,
            request_id=request.id,
            companion_id=companion.id,
            learner_id=companion.learner_id,
            fact=data.fact.strip(),
            effect=data.effect.strip(),
            suggestion=data.suggestion.strip(),
            safety_tier=verdict.tier,
            safety_category=verdict.category,
        )
        self.db.add(feedback)
        request.answered_at = now
        await self.db.flush()  # the audit names the feedback's id
        audit.record(
            self.db,
            organization_id=companion.organization_id,
            actor_id=None,
            action="companion.answer",
            target_type="companion_feedback",
            target_id=feedback.id,
            flagged=verdict.flagged,
        )
        await self.db.flush()
        if verdict.tier == "urgent":
            await self._alert(companion, verdict, mail)
        resources = await self._resources(companion.organization_id, verdict)
        return Answered(
            feedback=feedback, language=view.language, tier=verdict.tier, resources=resources
        )

    async def _resources(
        self, organization_id: UUID, verdict: SafetyVerdict
    ) -> tuple[tuple[str, str], ...]:
        """The organisation's resources for the tier the guard found, shown to the companion."""
        if verdict.tier is None:
            return ()
        org = await self.db.get(Organization, organization_id)
        by_tier = dict(Policy.load(org.policy if org else {}).resources_by_tier())
        return by_tier.get(verdict.tier, ())

    async def _alert(
        self, companion: Companion, verdict: SafetyVerdict, mail: AlertMail | None
    ) -> None:
        """The learner's coach is told: the tier and category, never the companion's words."""
        coach_id = await self.db.scalar(
            select(Enrollment.coach_id).where(
                Enrollment.id == companion.enrollment_id, Enrollment.is_active.is_(True)
            )
        )
        escalation = Escalation(
            organization_id=companion.organization_id,
            learner_id=companion.learner_id,
            coach_id=coach_id,
            category=verdict.category or "",
            tier="urgent",
            detected_by=verdict.source or "rules",
            stage="companion",
        )
        self.db.add(escalation)
        await self.db.flush()
        if mail is not None and coach_id is not None:
            await queue_urgent_alert(self.db, escalation, mail, coach_id)
        await webhooks.alert_raised(self.db, escalation)
        get_metrics().escalations.labels("urgent").inc()
        log.warning(
            "escalation_raised", category=verdict.category, tier="urgent", stage="companion"
        )
