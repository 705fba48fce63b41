from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec


class GroupFigures(msgspec.Struct):
    """Counts for one group of learners; every figure is None when the group is smaller than
    the organisation's minimum (`suppressed`), so nobody can be singled out."""

    learners: int | None
    suppressed: bool
    sessions_held: int | None = None
    items_delivered: int | None = None
    items_answered: int | None = None
    answer_rate: float | None = None  # answered / delivered
    active_learners: int | None = None  # answered, wrote in their journal or chatted lately


class WeekFigures(msgspec.Struct):
    """One week (Monday, UTC) of the organisation: items that reached their learner that week,
    and how many of those were answered since."""

    week_start: date
    items_arrived: int
    items_answered: int
    answer_rate: float | None


class ProgramFigures(msgspec.Struct):
    program_id: UUID
    name: str
    figures: GroupFigures


class InsightsOut(msgspec.Struct):
    generated_at: datetime
    min_group_size: int
    active_days: int
    organization: GroupFigures
    programs: list[ProgramFigures]
    # The last WEEKS weeks, oldest first; empty when the organisation's group is hidden.
    weeks: list[WeekFigures] = msgspec.field(default_factory=list)
