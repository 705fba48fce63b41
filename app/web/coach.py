"""The coach's pages: my learners, log a session, the review queue, a learner's brief, and the
agent run behind a draft.

The pages read through the domain services, as the API does (what is only shown here, the
learners' status lines and a learner's answers and shared conversations, through
`coaching/overview.py`); the decisions themselves (approve, edit, reject, acknowledge, write a
brief) go through the JSON API.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AgentRun, User
from app.db.models.enums import EscalationStatus, Role, SuggestionState
from app.domain.briefs.services import BriefService
from app.domain.coaching.overview import LearnerOverviewService
from app.domain.companions.overview import CompanionOverviewService
from app.domain.companions.services import CompanionService
from app.domain.companions.suggestions import CompanionSuggestionService
from app.domain.escalations.services import EscalationService
from app.domain.journal.services import JournalService
from app.domain.people.services import PeopleService
from app.domain.plans.services import PlanService
from app.domain.suggestions.services import QUESTION_SCALES, ReviewService
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
        # The oldest open ones first, as the escalations API lists them.
        escalations, _ = await EscalationService(db_session, identity).list(
            PageParams(ESCALATIONS_SHOWN, None), EscalationStatus.OPEN
        )
        return render(
            "coach/home.html",
            viewer,
            current="/coach",
            statuses=await LearnerOverviewService(db_session, identity).statuses(learners),
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
        overview = LearnerOverviewService(db_session, viewer.identity)
        answers = await overview.answers(learner_id)
        shared = await overview.shared_conversations(learner_id)
        # Companions' answers the learner shared; named only where the learner allowed it.
        companion_feedback = await CompanionService(db_session, viewer.identity).feedback(
            learner_id
        )
        companions = CompanionOverviewService(db_session, viewer.identity)
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
            companion_aggregates=await companions.aggregates(learner_id),
            companion_circle=await companions.circle(learner_id),
            companion_suggestions=await CompanionSuggestionService(
                db_session, viewer.identity
            ).find(learner_id),
        )

    @get("/runs/{run_id:uuid}", name="coach-run")
    async def run(
        self,
        db_session: NamedDependency[AsyncSession],
        knowledge: NamedDependency[KnowledgeStore],
        passwords: NamedDependency[Passwords],
        viewer: NamedDependency[Viewer],
        run_id: FromPath[UUID],
    ) -> Template:
        """What the agent used for a draft: provider, model, passages retrieved, fallback."""
        found = await PlanService(db_session, viewer.identity).run(run_id)
        # The run is visible only for the coach's own learners, whom `get_user` shows too.
        people = PeopleService(db_session, viewer.identity, passwords)
        learner = await people.get_user(found.learner_id) if found.learner_id else None
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
