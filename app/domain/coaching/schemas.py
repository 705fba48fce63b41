from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from app.db.models import CoachingSession
from app.lib.schema import ActionList, AwareDatetime, LongText, SkillList, check_utc_range


class SessionIn(msgspec.Struct, forbid_unknown_fields=True):
    learner_id: UUID
    held_at: AwareDatetime
    notes: LongText = ""
    goal: LongText = ""
    focus_skills: SkillList = msgspec.field(default_factory=list)
    agreed_actions: ActionList = msgspec.field(default_factory=list)
    enrollment_id: UUID | None = None
    # Start drafting the between-session plan at once (a background job).
    draft_plan: bool = True
    # When the next session is: the plan's items are spread until then (else over two weeks).
    next_session_at: AwareDatetime | None = None

    def __post_init__(self) -> None:
        check_utc_range("held_at", self.held_at)
        if self.next_session_at is not None:
            check_utc_range("next_session_at", self.next_session_at)
            if self.next_session_at <= self.held_at:
                raise ValueError(
                    "The next session must come after this one - at `$.next_session_at`"
                )


class SessionOut(msgspec.Struct):
    """The coach's view. Learners get `LearnerSessionOut`, without the coach's notes."""

    id: UUID
    enrollment_id: UUID
    learner_id: UUID
    coach_id: UUID
    held_at: datetime
    notes: str
    goal: str
    focus_skills: list[str]
    agreed_actions: list[str]
    created_at: datetime
    plan_run_id: UUID | None = None  # follow it at /api/v1/sessions/{id}/plan
    next_session_at: datetime | None = None

    @classmethod
    def of(cls, s: CoachingSession, plan_run_id: UUID | None = None) -> SessionOut:
        return cls(
            id=s.id,
            enrollment_id=s.enrollment_id,
            learner_id=s.learner_id,
            coach_id=s.coach_id,
            held_at=s.held_at,
            notes=s.notes,
            goal=s.goal,
            focus_skills=s.focus_skills,
            agreed_actions=s.agreed_actions,
            created_at=s.created_at,
            plan_run_id=plan_run_id,
            next_session_at=s.next_session_at,
        )


class LearnerSessionOut(msgspec.Struct):
    id: UUID
    held_at: datetime
    goal: str
    focus_skills: list[str]
    agreed_actions: list[str]
    next_session_at: datetime | None = None

    @classmethod
    def of(cls, s: CoachingSession) -> LearnerSessionOut:
        return cls(
            id=s.id,
            held_at=s.held_at,
            goal=s.goal,
            focus_skills=s.focus_skills,
            agreed_actions=s.agreed_actions,
            next_session_at=s.next_session_at,
        )
