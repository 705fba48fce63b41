"""What the agent drafts for a circle, and the presenter's action plan made their own item.

Drafts are stored `pending_review`: the facilitator approves, edits or rejects them before
any member sees them (`access.visible_circle_drafts`). The composer is deterministic and
offline (agents/circles/composer.py); it reads the program's skills of the presenter and the
organisation's question bank, never another organisation's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.circles.composer import Said, clarifying_questions, synthesis
from app.db.models import (
    Circle,
    CircleContribution,
    CircleDraft,
    CircleSession,
    Enrollment,
    ProgramModule,
    QuestionBankEntry,
    Suggestion,
    User,
)
from app.db.models.enums import Language, SuggestionKind, SuggestionState
from app.domain.circles.schemas import STEP_KEYS


def first_name(user: User | None) -> str:
    words = user.display_name.split() if user else []
    return words[0] if words else "—"


async def _presenter_enrollment(db: AsyncSession, session: CircleSession) -> Enrollment | None:
    found: Enrollment | None = await db.scalar(
        select(Enrollment)
        .where(
            Enrollment.organization_id == session.organization_id,
            Enrollment.learner_id == session.presenter_id,
            Enrollment.is_active.is_(True),
        )
        .order_by(Enrollment.id.desc())
        .limit(1)
    )
    return found


async def _texts(db: AsyncSession, session: CircleSession, step: str) -> list[str]:
    """What was written at a step, flagged texts left out: a draft for the whole circle must
    not carry what the guard held back from it."""
    rows = await db.scalars(
        select(CircleContribution.text)
        .where(
            CircleContribution.organization_id == session.organization_id,
            CircleContribution.session_id == session.id,
            CircleContribution.step == step,
            CircleContribution.safety_tier.is_(None),
        )
        .order_by(CircleContribution.id)
    )
    return list(rows)


def _draft(session: CircleSession, kind: str, text: str) -> CircleDraft:
    return CircleDraft(
        organization_id=session.organization_id,
        session_id=session.id,
        circle_id=session.circle_id,
        kind=kind,
        text=text,
        state="pending_review",
    )


async def questions_draft(db: AsyncSession, circle: Circle, session: CircleSession) -> CircleDraft:
    situation = "\n".join(await _texts(db, session, "situation"))
    skills: list[str] = []
    enrollment = await _presenter_enrollment(db, session)
    if enrollment is not None:
        skills = list(
            await db.scalars(
                select(ProgramModule.skill)
                .where(
                    ProgramModule.organization_id == session.organization_id,
                    ProgramModule.program_id == enrollment.program_id,
                )
                .order_by(ProgramModule.position)
            )
        )
    bank = (
        await db.execute(
            select(QuestionBankEntry.skill, QuestionBankEntry.text)
            .where(
                QuestionBankEntry.organization_id == session.organization_id,
                QuestionBankEntry.language == Language(circle.language),
            )
            .order_by(QuestionBankEntry.id)
        )
    ).tuples()
    questions = clarifying_questions(situation, circle.language, skills=skills, bank=list(bank))
    draft = _draft(session, "questions", "\n".join(f"- {q}" for q in questions))
    db.add(draft)
    return draft


async def synthesis_draft(db: AsyncSession, circle: Circle, session: CircleSession) -> CircleDraft:
    rows = (
        await db.execute(
            select(CircleContribution, User)
            .join(User, User.id == CircleContribution.author_id)
            .where(
                CircleContribution.organization_id == session.organization_id,
                CircleContribution.session_id == session.id,
                CircleContribution.safety_tier.is_(None),
            )
            .order_by(CircleContribution.id)
        )
    ).tuples()
    said = [Said(step=c.step, author=first_name(author), text=c.text) for c, author in rows]
    presenter = await db.get(User, session.presenter_id) if session.presenter_id else None
    text = synthesis(said, circle.language, presenter=first_name(presenter), steps=STEP_KEYS)
    draft = _draft(session, "synthesis", text)
    db.add(draft)
    return draft


async def plan_item(db: AsyncSession, circle: Circle, session: CircleSession) -> Suggestion | None:
    """The presenter's action plan among their own between-session items.

    It is created approved, without the coach's review: these are the learner's own words,
    written by them for themselves in front of the circle, not agent text; the approval gate
    exists for what the agent drafts. Agent text for the circle keeps its own gate (the
    facilitator's). The learner's coach sees it among their learner's items as usual."""
    plan = await _texts(db, session, "plan")
    if not plan or session.presenter_id is None:
        return None
    enrollment = await _presenter_enrollment(db, session)
    skill = ""
    if enrollment is not None:
        skill = (
            await db.scalar(
                select(ProgramModule.skill)
                .where(ProgramModule.program_id == enrollment.program_id)
                .order_by(ProgramModule.position)
                .limit(1)
            )
            or ""
        )
    rationale = (
        f"Plan d'action du cercle « {circle.name} »"
        if circle.language == "fr"
        else f'Action plan from the circle "{circle.name}"'
    )
    item = Suggestion(
        organization_id=session.organization_id,
        learner_id=session.presenter_id,
        coach_id=enrollment.coach_id if enrollment else circle.facilitator_id,
        kind=SuggestionKind.MICRO_ACTION,
        text="\n".join(plan),
        rationale=rationale,
        citations=[],
        skill=skill,
        language=Language(circle.language),
        state=SuggestionState.APPROVED,
    )
    db.add(item)
    await db.flush()
    return item
