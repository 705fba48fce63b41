"""The approval gate in code: drafts enter as pending_review, only the learner's coach moves
them, every move writes a ReviewDecision, and learners read through `access.visible_suggestions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Answer,
    CoachingSession,
    Enrollment,
    Organization,
    QuestionBankEntry,
    ReviewDecision,
    Suggestion,
    User,
)
from app.db.models.enums import (
    QuestionScale,
    ReviewOutcome,
    Role,
    SuggestionKind,
    SuggestionState,
)
from app.domain import access, audit
from app.domain.organizations.schemas import Policy
from app.domain.suggestions.feed import answers_to_items
from app.domain.suggestions.rhythm import Rhythm, proposed_dates
from app.domain.suggestions.schemas import DraftItem
from app.domain.webhooks import events as webhooks
from app.lib.clock import utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page

DEFAULT_RHYTHM = Rhythm()
QUESTION_SCALES = {
    SuggestionKind.COMPANY_QUESTION: QuestionScale.COMPANY,
    SuggestionKind.TEAM_QUESTION: QuestionScale.TEAM,
}


async def create_drafts(
    db: AsyncSession,
    *,
    session: CoachingSession,
    items: Sequence[DraftItem],
    run_id: UUID | None = None,
    rhythm: Rhythm = DEFAULT_RHYTHM,
) -> list[Suggestion]:
    """Save an agent's items for the session's learner. They always start pending_review, each
    with its proposed delivery date (the plan's rhythm), which the coach may change."""
    enrollment = await db.get(Enrollment, session.enrollment_id)
    if enrollment is None or enrollment.organization_id != session.organization_id:
        raise NotFound("The session's enrollment no longer exists.")
    organization = await db.get(Organization, session.organization_id)
    if organization is not None:  # its policy may set its own hour, working days, days off
        rhythm = rhythm.with_policy(Policy.load(organization.policy))
    learner = await db.get(User, session.learner_id)
    rhythm = rhythm.for_person(learner.time_zone if learner else None)
    dates = proposed_dates(len(items), session.held_at, session.next_session_at, rhythm)
    drafts = [
        Suggestion(
            organization_id=session.organization_id,
            learner_id=session.learner_id,
            coach_id=enrollment.coach_id,
            session_id=session.id,
            run_id=run_id,
            kind=item.kind,
            text=item.text,
            rationale=item.rationale,
            citations=item.citations,
            skill=item.skill,
            language=item.language,
            state=SuggestionState.PENDING_REVIEW,
            deliver_at=when,
        )
        for item, when in zip(items, dates, strict=True)
    ]
    db.add_all(drafts)
    await db.flush()
    await webhooks.items_event(db, webhooks.DRAFT_READY, drafts)
    return drafts


class ReviewService:
    """The coach's side: the queue and the decisions."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    def _visible(self) -> ColumnElement[bool]:
        # The queue shows drafts and the coach's rationale: coaches only.
        self.identity.require_role(Role.COACH)
        return access.visible_suggestions(self.identity, utcnow())

    async def queue(
        self, page: PageParams, *, state: SuggestionState | None, learner_id: UUID | None
    ) -> tuple[Sequence[Suggestion], str | None]:
        statement = select(Suggestion).where(self._visible())
        if state is not None:
            statement = statement.where(Suggestion.state == state)
        if learner_id is not None:
            statement = statement.where(Suggestion.learner_id == learner_id)
        return await fetch_page(self.db, statement, Suggestion.id, page)

    async def get(self, suggestion_id: UUID) -> Suggestion:
        return await access.one_visible(
            self.db,
            Suggestion,
            suggestion_id,
            self._visible(),
            what="suggestion",
            field="suggestion_id",
        )

    async def _lock_for_review(self, ids: Sequence[UUID]) -> list[Suggestion]:
        unique = list(dict.fromkeys(ids))
        rows = (
            await self.db.scalars(
                select(Suggestion)
                .where(Suggestion.id.in_(unique), self._visible())
                .with_for_update()
            )
        ).all()
        by_id = {s.id: s for s in rows}
        missing = [i for i in unique if i not in by_id]
        if missing:
            raise NotFound(f"No such suggestion: {missing[0]}.", field="ids")
        for suggestion in rows:
            if suggestion.state is not SuggestionState.PENDING_REVIEW:
                raise Conflict(
                    f"Suggestion {suggestion.id} was already reviewed "
                    f"(state: {suggestion.state.value}); only pending_review items can be.",
                )
        return [by_id[i] for i in unique]

    def _decide(
        self,
        suggestion: Suggestion,
        outcome: ReviewOutcome,
        *,
        new_text: str | None = None,
        reason: str = "",
        deliver_at: datetime | None = None,
    ) -> None:
        before = suggestion.text
        if outcome is ReviewOutcome.REJECT:
            suggestion.state = SuggestionState.REJECTED
        else:
            if new_text is not None and new_text != before:
                suggestion.text = new_text
                suggestion.state = SuggestionState.EDITED
            else:
                suggestion.state = SuggestionState.APPROVED
            # No date named: the rhythm's proposal stands (a past one means now).
            suggestion.deliver_at = deliver_at or suggestion.deliver_at or utcnow()
        self.db.add(
            ReviewDecision(
                organization_id=suggestion.organization_id,
                suggestion_id=suggestion.id,
                reviewer_id=self.identity.user_id,
                decision=outcome,
                text_before=before,
                text_after=suggestion.text,
                reason=reason,
            )
        )
        audit.record(
            self.db,
            organization_id=suggestion.organization_id,
            actor_id=self.identity.user_id,
            action=f"suggestion.{outcome.value}",
            target_type="suggestion",
            target_id=suggestion.id,
            state=suggestion.state.value,
        )

    async def approve(self, suggestion_id: UUID, deliver_at: datetime | None) -> Suggestion:
        [suggestion] = await self._lock_for_review([suggestion_id])
        self._decide(suggestion, ReviewOutcome.APPROVE, deliver_at=deliver_at)
        return await self._saved(suggestion, announce=True)

    async def edit(self, suggestion_id: UUID, text: str, deliver_at: datetime | None) -> Suggestion:
        [suggestion] = await self._lock_for_review([suggestion_id])
        self._decide(suggestion, ReviewOutcome.EDIT, new_text=text.strip(), deliver_at=deliver_at)
        return await self._saved(suggestion, announce=True)

    async def reject(self, suggestion_id: UUID, reason: str) -> Suggestion:
        [suggestion] = await self._lock_for_review([suggestion_id])
        self._decide(suggestion, ReviewOutcome.REJECT, reason=reason.strip())
        return await self._saved(suggestion)

    async def batch(
        self,
        ids: Sequence[UUID],
        outcome: ReviewOutcome,
        *,
        reason: str,
        deliver_at: datetime | None,
    ) -> list[Suggestion]:
        """All or nothing: one unknown or already-reviewed id and nothing changes."""
        if outcome is ReviewOutcome.REJECT and not reason.strip():
            raise InvalidInput("Give a reason when rejecting.", field="reason")
        suggestions = await self._lock_for_review(ids)
        for suggestion in suggestions:
            self._decide(suggestion, outcome, reason=reason.strip(), deliver_at=deliver_at)
        await self.db.flush()
        for suggestion in suggestions:
            await self.db.refresh(suggestion)
        if outcome is not ReviewOutcome.REJECT:
            await webhooks.items_event(self.db, webhooks.ITEM_APPROVED, suggestions)
        return suggestions

    async def _saved(self, suggestion: Suggestion, *, announce: bool = False) -> Suggestion:
        await self.db.flush()
        await self.db.refresh(suggestion)
        if announce:  # approved or edited: the organisation's webhooks hear of it
            await webhooks.items_event(self.db, webhooks.ITEM_APPROVED, [suggestion])
        return suggestion

    async def answers(self, suggestion_id: UUID) -> list[Answer]:
        await self.get(suggestion_id)
        return (await answers_to_items(self.db, self.identity, [suggestion_id]))[suggestion_id]

    async def save_to_bank(
        self, suggestion_id: UUID, *, scale: QuestionScale | None, skill: str | None
    ) -> QuestionBankEntry:
        suggestion = await self.get(suggestion_id)
        if suggestion.state not in (
            SuggestionState.APPROVED,
            SuggestionState.EDITED,
            SuggestionState.DELIVERED,
        ):
            raise Conflict("Approve the question before saving it to the bank.")
        chosen_scale = scale or QUESTION_SCALES.get(suggestion.kind)
        if chosen_scale is None:
            raise InvalidInput(
                "Only questions go to the bank; for this item, say which scale it serves.",
                field="scale",
            )
        chosen_skill = (skill or suggestion.skill).strip()
        if not chosen_skill:
            raise InvalidInput("Say which skill this question serves.", field="skill")
        entry = QuestionBankEntry(
            organization_id=suggestion.organization_id,
            skill=chosen_skill,
            scale=chosen_scale,
            language=suggestion.language,
            text=suggestion.text,
            approved_by_id=self.identity.user_id,
            source_suggestion_id=suggestion.id,
        )
        self.db.add(entry)
        await self.db.flush()
        await self.db.refresh(entry)
        return entry
