"""The coach's pages: my learners, log a session, the review queue, a learner's brief, and the
agent run behind a draft.

Every query starts from the conditions of `app/domain/access.py`, as the services' do; the
decisions themselves (approve, edit, reject, acknowledge, write a brief) go through the JSON API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    AgentRun,
    Answer,
    CoachingSession,
    Companion,
    CompanionFeedback,
    Conversation,
    Escalation,
    JournalEntry,
    Message,
    Suggestion,
    User,
)
from app.db.models.enums import EscalationStatus, MessageRole, Role, SuggestionState
from app.domain import access
from app.domain.briefs.services import BriefService
from app.domain.companions.overview import CompanionOverviewService
from app.domain.companions.services import CompanionService
from app.domain.companions.suggestions import CompanionSuggestionService
from app.domain.journal.services import JournalService
from app.domain.people.services import PeopleService
from app.domain.plans.services import PlanService
from app.domain.suggestions.services import QUESTION_SCALES, ReviewService
from app.lib.clock import utcnow
from app.lib.errors import NotFound
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.security import Passwords
from app.web.pages import PageController, Viewer, render
from knowledge.store import KnowledgeStore

LEARNERS_SHOWN = 200
ESCALATIONS_SHOWN = 50
# A brief written before a section existed lacks it: the page shows the sections it has.
BRIEF_SECTIONS = ("changes", "answers", "themes", "progress", "open_questions", "explore")
SHARED_NOTES_SHOWN = 20
ANSWERS_SHOWN = 30
SHARED_MESSAGES_SHOWN = 60


@dataclass(frozen=True, slots=True)
class AnsweredItem:
    prompt: str  # the delivered item the learner answered
    answer: Answer


async def _answers(db: AsyncSession, identity: Identity, learner_id: UUID) -> list[AnsweredItem]:
    """The learner's answers to delivered items, newest first, through `access` like the API."""
    rows = await db.execute(
        select(Answer, Suggestion.text)
        .join(Suggestion, Suggestion.id == Answer.suggestion_id)
        .where(Answer.learner_id == learner_id, access.visible_answers(identity))
        .order_by(Answer.created_at.desc())
        .limit(ANSWERS_SHOWN)
    )
    return [AnsweredItem(prompt=prompt, answer=answer) for answer, prompt in rows.tuples()]


async def _shared_messages(
    db: AsyncSession, identity: Identity, learner_id: UUID
) -> list[tuple[Conversation, list[Message]]]:
    """The conversations the learner shared with their coach, each with its latest messages
    (learner and companion), oldest first within a conversation."""
    messages = (
        await db.scalars(
            select(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.learner_id == learner_id, access.visible_conversations(identity))
            .order_by(Message.created_at.desc())
            .limit(SHARED_MESSAGES_SHOWN)
        )
    ).all()
    by_conversation: dict[UUID, list[Message]] = {}
    for message in reversed(messages):
        by_conversation.setdefault(message.conversation_id, []).append(message)
    conversations = {
        c.id: c
        for c in await db.scalars(
            select(Conversation).where(Conversation.id.in_(list(by_conversation)))
        )
    }
    return [(conversations[i], thread) for i, thread in by_conversation.items()]


@dataclass(frozen=True, slots=True)
class LearnerStatus:
    learner: User
    drafts_waiting: int
    open_escalations: int
    last_activity: datetime | None
    last_session: datetime | None
    companions: int = 0  # whose link is alive
    companion_answers_shared: int = 0


async def _counts(db: AsyncSession, statement: Any) -> dict[UUID, Any]:
    return dict((await db.execute(statement)).tuples().all())


async def _statuses(db: AsyncSession, identity: Identity, learners: list[User]) -> list[Any]:
    waiting = await _counts(
        db,
        select(Suggestion.learner_id, func.count(Suggestion.id))
        .where(
            access.visible_suggestions(identity, utcnow()),
            Suggestion.state == SuggestionState.PENDING_REVIEW,
        )
        .group_by(Suggestion.learner_id),
    )
    escalations = await _counts(
        db,
        select(Escalation.learner_id, func.count(Escalation.id))
        .where(access.visible_escalations(identity), Escalation.status == EscalationStatus.OPEN)
        .group_by(Escalation.learner_id),
    )
    # Activity the coach may see: answers, messages of conversations and journal entries the
    # learner shared with them.
    answered = await _counts(
        db,
        select(Answer.learner_id, func.max(Answer.created_at))
        .where(access.visible_answers(identity))
        .group_by(Answer.learner_id),
    )
    chatted = await _counts(
        db,
        select(Conversation.learner_id, func.max(Message.created_at))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(access.visible_conversations(identity), Message.role == MessageRole.LEARNER)
        .group_by(Conversation.learner_id),
    )
    noted = await _counts(
        db,
        select(JournalEntry.learner_id, func.max(JournalEntry.created_at))
        .where(access.visible_journal_entries(identity))  # shared entries only
        .group_by(JournalEntry.learner_id),
    )
    sessions = await _counts(
        db,
        select(CoachingSession.learner_id, func.max(CoachingSession.held_at))
        .where(access.visible_sessions(identity))
        .group_by(CoachingSession.learner_id),
    )
    # Who accompanies each learner: live links, and the answers the learner shared.
    companions = await _counts(
        db,
        select(Companion.learner_id, func.count(Companion.id))
        .where(
            access.companions_in_coach_view(identity),
            Companion.revoked_at.is_(None),
            Companion.expires_at > utcnow(),
        )
        .group_by(Companion.learner_id),
    )
    shared = await _counts(
        db,
        select(CompanionFeedback.learner_id, func.count(CompanionFeedback.id))
        .where(access.visible_companion_feedback(identity))  # shared ones only
        .group_by(CompanionFeedback.learner_id),
    )
    statuses = []
    for learner in learners:
        seen = (answered.get(learner.id), chatted.get(learner.id), noted.get(learner.id))
        moments = [m for m in seen if m]
        statuses.append(
            LearnerStatus(
                learner=learner,
                drafts_waiting=int(waiting.get(learner.id, 0)),
                open_escalations=int(escalations.get(learner.id, 0)),
                last_activity=max(moments) if moments else None,
                last_session=sessions.get(learner.id),
                companions=int(companions.get(learner.id, 0)),
                companion_answers_shared=int(shared.get(learner.id, 0)),
            )
        )
    return statuses


async def _my_learners(db: AsyncSession, identity: Identity, passwords: Passwords) -> list[User]:
    identity.require_role(Role.COACH)
    people = PeopleService(db, identity, passwords)
    learners, _ = await people.list_users(PageParams(LEARNERS_SHOWN, None), Role.LEARNER)
    return sorted(learners, key=lambda u: u.display_name.lower())


class CoachPages(PageController):
    path = "/coach"

    @get("/", name="coach-home")
    async def home(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        viewer: NamedDependency[Viewer],
    ) -> Template:
        identity = viewer.identity
        learners = await _my_learners(db_session, identity, passwords)
        escalations = (
            await db_session.scalars(
                select(Escalation)
                .where(
                    access.visible_escalations(identity),
                    Escalation.status == EscalationStatus.OPEN,
                )
                .order_by(Escalation.id)
                .limit(ESCALATIONS_SHOWN)
            )
        ).all()
        return render(
            "coach/home.html",
            viewer,
            current="/coach",
            statuses=await _statuses(db_session, identity, learners),
            escalations=escalations,
            names={u.id: u.display_name for u in learners},
        )

    @get("/sessions/new", name="coach-new-session")
    async def new_session(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        viewer: NamedDependency[Viewer],
        learner: Annotated[UUID | None, QueryParameter(name="learner")] = None,
    ) -> Template:
        learners = await _my_learners(db_session, viewer.identity, passwords)
        return render(
            "coach/session_new.html",
            viewer,
            current="/coach/sessions/new",
            learners=learners,
            selected=learner,
            # Questions can be kept in the organisation's bank once approved.
            bank_kinds=[kind.value for kind in QUESTION_SCALES],
        )

    @get("/review", name="coach-review")
    async def review(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        viewer: NamedDependency[Viewer],
        page: NamedDependency[PageParams],
        learner: Annotated[UUID | None, QueryParameter(name="learner")] = None,
    ) -> Template:
        review = ReviewService(db_session, viewer.identity)
        drafts, next_cursor = await review.queue(
            page, state=SuggestionState.PENDING_REVIEW, learner_id=learner
        )
        learners = await _my_learners(db_session, viewer.identity, passwords)
        return render(
            "coach/review.html",
            viewer,
            current="/coach/review",
            drafts=drafts,
            next_cursor=next_cursor,
            names={u.id: u.display_name for u in learners},
            learners=learners,
            selected=learner,
            # Questions can be kept in the organisation's bank once approved.
            bank_kinds=[kind.value for kind in QUESTION_SCALES],
        )

    @get("/learners/{learner_id:uuid}/brief", name="coach-brief")
    async def brief(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        viewer: NamedDependency[Viewer],
        learner_id: FromPath[UUID],
    ) -> Template:
        viewer.identity.require_role(Role.COACH)
        people = PeopleService(db_session, viewer.identity, passwords)
        learner = await people.get_user(learner_id)
        if learner.role is not Role.LEARNER:
            raise NotFound("No such learner.", field="learner_id")
        run: AgentRun | None
        try:
            run = await BriefService(db_session, viewer.identity).latest(learner_id)
        except NotFound:
            run = None
        # What the learner chose to share from their journal, as they wrote it.
        notes, _ = await JournalService(db_session, viewer.identity).list(
            PageParams(SHARED_NOTES_SHOWN, None), learner_id
        )
        answers = await _answers(db_session, viewer.identity, learner_id)
        shared = await _shared_messages(db_session, viewer.identity, learner_id)
        # Companions' answers the learner shared; named only where the learner allowed it.
        companion_feedback = await CompanionService(db_session, viewer.identity).feedback(
            learner_id
        )
        overview = CompanionOverviewService(db_session, viewer.identity)
        return render(
            "coach/brief.html",
            viewer,
            current="/coach",
            learner=learner,
            run=run,
            brief=run.details.get("brief", {}) if run else {},
            sections=BRIEF_SECTIONS,
            shared_notes=notes,
            answers=answers,
            shared_conversations=shared,
            companion_feedback=companion_feedback,
            # Anonymous once three companions' answers were shared; the circle's shape (names
            # only where the learner allowed it); what the coach suggested and what came of it.
            companion_aggregates=await overview.aggregates(learner_id),
            companion_circle=await overview.circle(learner_id),
            companion_suggestions=await CompanionSuggestionService(
                db_session, viewer.identity
            ).find(learner_id),
        )

    @get("/runs/{run_id:uuid}", name="coach-run")
    async def run(
        self,
        db_session: NamedDependency[AsyncSession],
        knowledge: NamedDependency[KnowledgeStore],
        viewer: NamedDependency[Viewer],
        run_id: FromPath[UUID],
    ) -> Template:
        """What the agent used for a draft: provider, model, passages retrieved, fallback."""
        found = await PlanService(db_session, viewer.identity).run(run_id)
        learner = await db_session.get(User, found.learner_id) if found.learner_id else None
        # Name each passage as a citation does; one since replaced by a newer version is None.
        organization = knowledge.organization(str(viewer.identity.organization_id))
        live = organization.live_chunks([str(i)[:64] for i in found.retrieved_ids])
        return render(
            "coach/run.html",
            viewer,
            current="/coach/review",
            run=found,
            learner_name=learner.display_name if learner else "",
            passages=[(chunk_id, live.get(chunk_id)) for chunk_id in found.retrieved_ids],
        )
