"""A coach suggests to a learner whom to ask for feedback and what: a kind of person ("a peer
who saw you in the Monday meeting"), never an address, and a question. The learner turns the
suggestion into an invitation (choosing the person, reviewing the question) or dismisses it;
the coach sees which were taken up, never whom the learner asked.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Companion, CompanionSuggestion, Enrollment
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.companions.schemas import SuggestionIn
from app.lib.clock import utcnow
from app.lib.errors import Conflict, NotFound
from app.lib.identity import Identity

OPEN, TAKEN, DISMISSED = "open", "taken", "dismissed"
MAX_OPEN = 20  # per learner: ideas to act on, not a backlog


async def require_my_learner(db: AsyncSession, identity: Identity, learner_id: UUID) -> None:
    """A coach acts for a learner they coach (an active enrollment); anyone else, in this
    organisation or another, is not found."""
    identity.require_role(Role.COACH)
    mine = await db.scalar(
        select(Enrollment.id)
        .where(
            access.visible_enrollments(identity),
            Enrollment.learner_id == learner_id,
            Enrollment.is_active.is_(True),
        )
        .limit(1)
    )
    if mine is None:
        raise NotFound("No such learner of yours.", field="learner_id")


class CompanionSuggestionService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def suggest(self, data: SuggestionIn) -> CompanionSuggestion:
        """For one of the coach's own learners only: anyone else's id is not found."""
        await require_my_learner(self.db, self.identity, data.learner_id)
        if len(await self.find(data.learner_id, status=OPEN)) >= MAX_OPEN:
            raise Conflict(
                f"This learner has {MAX_OPEN} open suggestions already.", field="learner_id"
            )
        row = CompanionSuggestion(
            organization_id=self.identity.organization_id,
            learner_id=data.learner_id,
            coach_id=self.identity.user_id,
            who=" ".join(data.who.split()),
            question=data.question.strip(),
        )
        self.db.add(row)
        await self.db.flush()
        await self.db.refresh(row)
        self._audit("companion_suggestion.create", row.id)
        return row

    async def find(
        self, learner_id: UUID | None = None, *, status: str | None = None
    ) -> list[CompanionSuggestion]:
        """The learner's own; a coach's: those for their learners. Newest first."""
        self.identity.require_role(Role.LEARNER, Role.COACH)
        statement = select(CompanionSuggestion).where(
            access.visible_companion_suggestions(self.identity)
        )
        if learner_id is not None:
            statement = statement.where(CompanionSuggestion.learner_id == learner_id)
        if status is not None:
            statement = statement.where(CompanionSuggestion.status == status)
        rows = await self.db.scalars(statement.order_by(CompanionSuggestion.id.desc()))
        return list(rows)

    async def get(self, suggestion_id: UUID) -> CompanionSuggestion:
        self.identity.require_role(Role.LEARNER, Role.COACH)
        return await access.one_visible(
            self.db,
            CompanionSuggestion,
            suggestion_id,
            access.visible_companion_suggestions(self.identity),
            what="suggestion",
            field="suggestion_id",
        )

    async def _open_one(self, suggestion_id: UUID) -> CompanionSuggestion:
        self.identity.require_role(Role.LEARNER)
        row = await self.get(suggestion_id)
        if row.status != OPEN:
            raise Conflict(f"This suggestion was {row.status} already.", field="suggestion_id")
        return row

    async def dismiss(self, suggestion_id: UUID) -> CompanionSuggestion:
        """The learner sets it aside; dismissing twice changes nothing."""
        self.identity.require_role(Role.LEARNER)
        row = await self.get(suggestion_id)
        if row.status == DISMISSED:
            return row
        row = await self._open_one(suggestion_id)
        row.status, row.decided_at = DISMISSED, utcnow()
        self._audit("companion_suggestion.dismiss", row.id)
        await self.db.flush()
        await self.db.refresh(row)
        return row

    async def check_open(self, suggestion_id: UUID) -> None:
        """Before inviting: the suggestion is the learner's and still open."""
        await self._open_one(suggestion_id)

    async def take(self, suggestion_id: UUID, companion: Companion) -> None:
        """The invitation `companion` takes the suggestion up."""
        row = await self._open_one(suggestion_id)
        row.status, row.decided_at, row.companion_id = TAKEN, utcnow(), companion.id
        self._audit("companion_suggestion.take", row.id)

    def _audit(self, action: str, target_id: UUID) -> None:
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action=action,
            target_type="companion_suggestion",
            target_id=target_id,
        )
