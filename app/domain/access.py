"""Who may see which rows: the tenant filter and the approval gate, as query conditions.

Every service builds its queries from these functions, so the rules live in one place and are
applied where data is fetched. A row another identity may not see is simply not found (404).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    AgentRun,
    Answer,
    ApiKey,
    Circle,
    CircleContribution,
    CircleDraft,
    CircleMember,
    CoachingSession,
    Companion,
    CompanionFeedback,
    CompanionSuggestion,
    Conversation,
    Enrollment,
    Escalation,
    JournalEntry,
    Suggestion,
    User,
)
from app.db.models.enums import LEARNER_VISIBLE_STATES, Role, SuggestionState
from app.lib.errors import NotFound
from app.lib.identity import Identity

M = TypeVar("M")
# Approved (as drafted or edited) and waiting for their day.
SCHEDULABLE_STATES = (SuggestionState.APPROVED, SuggestionState.EDITED)


def in_tenant(model: Any, identity: Identity) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = model.organization_id == identity.organization_id
    return condition


async def one_visible(
    db: AsyncSession,
    model: type[M],
    row_id: UUID,
    visible: ColumnElement[bool],
    *also: ColumnElement[bool],
    what: str,
    field: str,
    for_update: bool = False,
) -> M:
    """The row with this id that `visible` (one of the rules below, built for the caller)
    admits, or 404 `No such {what}.` naming `field`: a row the caller may not see answers
    exactly like an unknown id. `also` narrows further (a message of this conversation)."""
    id_column = model.id  # type: ignore[attr-defined]
    statement = select(model).where(id_column == row_id, visible, *also)
    if for_update:
        statement = statement.with_for_update()
    found: M | None = await db.scalar(statement)
    if found is None:
        raise NotFound(f"No such {what}.", field=field)
    return found


async def one_in_tenant(
    db: AsyncSession, model: type[M], row_id: UUID, identity: Identity, *, what: str, field: str
) -> M:
    """The row of the caller's organisation with this id, for kinds with no rule below (the
    service checks role or owner); another organisation's answers 404 like an unknown id."""
    return await one_visible(db, model, row_id, in_tenant(model, identity), what=what, field=field)


def coach_learner_ids(identity: Identity) -> Any:
    """Learners with an active enrollment under this coach, in this organisation."""
    return select(Enrollment.learner_id).where(
        Enrollment.organization_id == identity.organization_id,
        Enrollment.coach_id == identity.user_id,
        Enrollment.is_active.is_(True),
    )


def learner_coach_ids(identity: Identity) -> Any:
    """Coaches with an active enrollment of this learner (symmetric with coach_learner_ids)."""
    return select(Enrollment.coach_id).where(
        Enrollment.organization_id == identity.organization_id,
        Enrollment.learner_id == identity.user_id,
        Enrollment.is_active.is_(True),
    )


Rule = Callable[[], ColumnElement[bool]]


def _by_role(identity: Identity, *, learner: Rule, coach: Rule, admin: Rule) -> ColumnElement[bool]:
    """The identity's role's rule. Rules are built on demand: only the one that applies is
    (building all three cost a coach's subquery on each of a learner's requests)."""
    rule = {Role.LEARNER: learner, Role.COACH: coach, Role.ADMIN: admin}[identity.role]
    return and_(true(), rule())


def visible_users(identity: Identity) -> ColumnElement[bool]:
    return and_(
        in_tenant(User, identity),
        _by_role(
            identity,
            learner=lambda: or_(
                User.id == identity.user_id, User.id.in_(learner_coach_ids(identity))
            ),
            coach=lambda: or_(
                User.id == identity.user_id, User.id.in_(coach_learner_ids(identity))
            ),
            admin=true,
        ),
    )


def visible_enrollments(identity: Identity) -> ColumnElement[bool]:
    return and_(
        in_tenant(Enrollment, identity),
        _by_role(
            identity,
            learner=lambda: Enrollment.learner_id == identity.user_id,
            coach=lambda: Enrollment.coach_id == identity.user_id,
            admin=true,
        ),
    )


def visible_sessions(identity: Identity) -> ColumnElement[bool]:
    """Admins manage the organisation but never read coaching content."""
    return and_(
        in_tenant(CoachingSession, identity),
        _by_role(
            identity,
            learner=lambda: CoachingSession.learner_id == identity.user_id,
            coach=lambda: CoachingSession.learner_id.in_(coach_learner_ids(identity)),
            admin=false,
        ),
    )


def learner_can_see_suggestion(now: datetime) -> ColumnElement[bool]:
    """The approval gate: approved or edited by a coach, and due."""
    return and_(
        Suggestion.state.in_(LEARNER_VISIBLE_STATES),
        or_(Suggestion.deliver_at.is_(None), Suggestion.deliver_at <= now),
    )


def visible_suggestions(identity: Identity, now: datetime) -> ColumnElement[bool]:
    return and_(
        in_tenant(Suggestion, identity),
        _by_role(
            identity,
            learner=lambda: and_(
                Suggestion.learner_id == identity.user_id, learner_can_see_suggestion(now)
            ),
            coach=lambda: Suggestion.learner_id.in_(coach_learner_ids(identity)),
            admin=false,
        ),
    )


def scheduled_items(identity: Identity, now: datetime) -> ColumnElement[bool]:
    """*When* a learner's approved items will arrive, not what they say: callers select the
    moment (`deliver_at`) only, for the home page's "coming up" and the calendar feed. The
    text stays behind the gate until its day. Coaches see their learners' items through
    `visible_suggestions`; nobody else learns the schedule."""
    return and_(
        in_tenant(Suggestion, identity),
        _by_role(
            identity,
            learner=lambda: and_(
                Suggestion.learner_id == identity.user_id,
                Suggestion.state.in_(SCHEDULABLE_STATES),
                Suggestion.deliver_at > now,
            ),
            coach=false,
            admin=false,
        ),
    )


def visible_answers(identity: Identity) -> ColumnElement[bool]:
    return and_(
        in_tenant(Answer, identity),
        _by_role(
            identity,
            learner=lambda: Answer.learner_id == identity.user_id,
            coach=lambda: Answer.learner_id.in_(coach_learner_ids(identity)),
            admin=false,
        ),
    )


def visible_conversations(identity: Identity) -> ColumnElement[bool]:
    return and_(
        in_tenant(Conversation, identity),
        _by_role(
            identity,
            learner=lambda: Conversation.learner_id == identity.user_id,
            coach=lambda: and_(
                Conversation.shared_with_coach.is_(True),
                Conversation.learner_id.in_(coach_learner_ids(identity)),
            ),
            admin=false,
        ),
    )


def visible_journal_entries(identity: Identity) -> ColumnElement[bool]:
    """A journal is the learner's; a coach reads only the entries shared with them."""
    return and_(
        in_tenant(JournalEntry, identity),
        _by_role(
            identity,
            learner=lambda: JournalEntry.learner_id == identity.user_id,
            coach=lambda: and_(
                JournalEntry.shared_with_coach.is_(True),
                JournalEntry.learner_id.in_(coach_learner_ids(identity)),
            ),
            admin=false,
        ),
    )


def visible_runs(identity: Identity) -> ColumnElement[bool]:
    """Agent runs show what was retrieved for a learner: their coach's business only."""
    return and_(
        in_tenant(AgentRun, identity),
        _by_role(
            identity,
            learner=false,
            coach=lambda: AgentRun.learner_id.in_(coach_learner_ids(identity)),
            admin=false,
        ),
    )


def visible_api_keys(identity: Identity) -> ColumnElement[bool]:
    """Everyone manages their own keys; an admin also sees and revokes every key of the
    organisation (revoking takes power away, it gives none). Another person's key looks absent."""
    return and_(
        in_tenant(ApiKey, identity),
        _by_role(
            identity,
            learner=lambda: ApiKey.user_id == identity.user_id,
            coach=lambda: ApiKey.user_id == identity.user_id,
            admin=true,
        ),
    )


# Urgent: raised by the guard; support: the learner asked that their coach be told. An out-of-
# scope message (medical, legal, financial) is not the employer's business: never the coach's,
# even if a row of that tier were ever written.
COACH_ALERT_TIERS = ("urgent", "support")


def visible_escalations(identity: Identity) -> ColumnElement[bool]:
    return and_(
        in_tenant(Escalation, identity),
        _by_role(
            identity,
            learner=false,
            coach=lambda: and_(
                Escalation.tier.in_(COACH_ALERT_TIERS),
                Escalation.learner_id.in_(coach_learner_ids(identity)),
            ),
            admin=false,
        ),
    )


def visible_companions(identity: Identity) -> ColumnElement[bool]:
    """Companions are the learner's own circle: who they are (name, address) is theirs alone.
    A coach reads only the feedback shared with them (`visible_companion_feedback`)."""
    return and_(
        in_tenant(Companion, identity),
        _by_role(
            identity,
            learner=lambda: Companion.learner_id == identity.user_id,
            coach=false,
            admin=false,
        ),
    )


def visible_companion_feedback(identity: Identity) -> ColumnElement[bool]:
    """A companion's answer is written to the learner; their coach reads it once the learner
    shares it. An admin never reads it."""
    return and_(
        in_tenant(CompanionFeedback, identity),
        _by_role(
            identity,
            learner=lambda: CompanionFeedback.learner_id == identity.user_id,
            coach=lambda: and_(
                CompanionFeedback.shared_with_coach.is_(True),
                CompanionFeedback.learner_id.in_(coach_learner_ids(identity)),
            ),
            admin=false,
        ),
    )


def companions_in_coach_view(identity: Identity) -> ColumnElement[bool]:
    """The shape of a learner's circle as their coach sees it: how many companions, their
    relation and link status, and which questions are still open. Who they are (name) is
    shown by the service only where the learner allowed it; the address never. The learner
    reads their own circle through `visible_companions`."""
    return and_(
        in_tenant(Companion, identity),
        _by_role(
            identity,
            learner=false,
            coach=lambda: Companion.learner_id.in_(coach_learner_ids(identity)),
            admin=false,
        ),
    )


def _member_circle_ids(identity: Identity) -> Any:
    return select(CircleMember.circle_id).where(
        CircleMember.organization_id == identity.organization_id,
        CircleMember.learner_id == identity.user_id,
    )


def _facilitated_circle_ids(identity: Identity) -> Any:
    return select(Circle.id).where(
        Circle.organization_id == identity.organization_id,
        Circle.facilitator_id == identity.user_id,
    )


def visible_circles(identity: Identity) -> ColumnElement[bool]:
    """A circle is its members' and its facilitator's (a coach or an admin). Anyone else,
    the admin who created it for another facilitator included, sees nothing of it: what is
    said in a circle stays in the circle."""
    return and_(
        in_tenant(Circle, identity),
        _by_role(
            identity,
            learner=lambda: Circle.id.in_(_member_circle_ids(identity)),
            coach=lambda: Circle.facilitator_id == identity.user_id,
            admin=lambda: Circle.facilitator_id == identity.user_id,
        ),
    )


def visible_companion_suggestions(identity: Identity) -> ColumnElement[bool]:
    """A coach's suggestion of whom to ask: the learner's to act on, and readable by the
    coaches of that learner (who see whether it was taken up). An admin never reads them."""
    return and_(
        in_tenant(CompanionSuggestion, identity),
        _by_role(
            identity,
            learner=lambda: CompanionSuggestion.learner_id == identity.user_id,
            coach=lambda: CompanionSuggestion.learner_id.in_(coach_learner_ids(identity)),
            admin=false,
        ),
    )


# What members may read of the agent's drafts: only what the facilitator approved or edited.
CIRCLE_VISIBLE_DRAFT_STATES = ("approved", "edited")


def visible_circle_drafts(identity: Identity) -> ColumnElement[bool]:
    """The facilitator's approval gate for the circle, as the coach's is for a learner."""
    return and_(
        in_tenant(CircleDraft, identity),
        _by_role(
            identity,
            learner=lambda: and_(
                CircleDraft.circle_id.in_(_member_circle_ids(identity)),
                CircleDraft.state.in_(CIRCLE_VISIBLE_DRAFT_STATES),
            ),
            coach=lambda: CircleDraft.circle_id.in_(_facilitated_circle_ids(identity)),
            admin=lambda: CircleDraft.circle_id.in_(_facilitated_circle_ids(identity)),
        ),
    )


def visible_circle_contributions(identity: Identity) -> ColumnElement[bool]:
    """Members read each other's words, except a text the safety guard flagged: a signal of
    distress is for its writer (shown resources) and the facilitator, not for the group."""
    return and_(
        in_tenant(CircleContribution, identity),
        _by_role(
            identity,
            learner=lambda: and_(
                CircleContribution.circle_id.in_(_member_circle_ids(identity)),
                or_(
                    CircleContribution.safety_tier.is_(None),
                    CircleContribution.author_id == identity.user_id,
                ),
            ),
            coach=lambda: CircleContribution.circle_id.in_(_facilitated_circle_ids(identity)),
            admin=lambda: CircleContribution.circle_id.in_(_facilitated_circle_ids(identity)),
        ),
    )
