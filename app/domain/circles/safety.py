"""The safety guard reads every text a circle member writes, as it reads a chat message.

A text with a signal is stored flagged, held back from the other members (see
`access.visible_circle_contributions`) and its writer is shown the organisation's resources
for the tier; an urgent one also alerts the writer's coach (tier, category and stage
`circle`, never the words), e-mailed like a chat alert.
"""

from __future__ import annotations

import anyio.to_thread
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.safety import SafetyGuard, SafetyVerdict
from app.db.models import CircleContribution, Enrollment, Escalation, Organization
from app.domain.notifications.alerts import AlertMail, queue_urgent_alert
from app.domain.organizations.schemas import Policy
from app.domain.webhooks import events as webhooks

log = structlog.get_logger("interlude.circles")


async def check(guard: SafetyGuard, text: str) -> SafetyVerdict:
    return await anyio.to_thread.run_sync(guard.check, text)


async def resources(
    db: AsyncSession, organization_id: object, verdict: SafetyVerdict
) -> list[tuple[str, str]]:
    if verdict.tier is None:
        return []
    org = await db.get(Organization, organization_id)
    by_tier = dict(Policy.load(org.policy if org else {}).resources_by_tier())
    return list(by_tier.get(verdict.tier, ()))


async def alert(
    db: AsyncSession,
    written: CircleContribution,
    verdict: SafetyVerdict,
    mail: AlertMail | None,
) -> None:
    """The writer's coach is told of an urgent text: tier and category, never the words."""
    coach_id = await db.scalar(
        select(Enrollment.coach_id)
        .where(
            Enrollment.organization_id == written.organization_id,
            Enrollment.learner_id == written.author_id,
            Enrollment.is_active.is_(True),
        )
        .order_by(Enrollment.id.desc())
        .limit(1)
    )
    escalation = Escalation(
        organization_id=written.organization_id,
        learner_id=written.author_id,
        coach_id=coach_id,
        category=verdict.category or "",
        tier="urgent",
        detected_by=verdict.source or "rules",
        stage="circle",
    )
    db.add(escalation)
    await db.flush()
    if mail is not None and coach_id is not None:
        await queue_urgent_alert(db, escalation, mail, coach_id)
    await webhooks.alert_raised(db, escalation)
    log.warning("escalation_raised", category=verdict.category, tier="urgent", stage="circle")
