"""Peer circles on the wire, and the six steps of a co-development session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from app.lib.schema import NON_BLANK, Name


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    minutes: int  # suggested; the facilitator advances when the circle is ready
    # Who writes at this step: the presenter only, or the other members.
    by_presenter: bool


# The classic co-development sequence (Payette & Champagne), timed for a session of about
# an hour and ten minutes.
STEPS: tuple[Step, ...] = (
    Step(key="situation", minutes=10, by_presenter=True),
    Step(key="questions", minutes=15, by_presenter=False),
    Step(key="request", minutes=5, by_presenter=True),
    Step(key="suggestions", minutes=20, by_presenter=False),
    Step(key="plan", minutes=10, by_presenter=True),
    Step(key="lessons", minutes=10, by_presenter=False),
)
STEP_KEYS = tuple(step.key for step in STEPS)
MIN_MEMBERS, MAX_MEMBERS = 4, 8

Contribution = Annotated[str, msgspec.Meta(min_length=1, max_length=4_000, pattern=NON_BLANK)]
DraftText = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000, pattern=NON_BLANK)]
# Bounded well above 8 so that 9 to 20 members still get the message that says 4 to 8.
MemberIds = Annotated[list[UUID], msgspec.Meta(max_length=20)]
Reason = Annotated[str, msgspec.Meta(max_length=2_000, pattern=r"^[^\x00]*$")]


class CircleIn(msgspec.Struct, forbid_unknown_fields=True):
    """`member_ids`: 4 to 8 learners of the organisation (a coach: learners they coach).
    `facilitator_id`: a coach or an admin of the organisation; default: the caller."""

    name: Name
    member_ids: MemberIds
    facilitator_id: UUID | None = None
    language: Literal["fr", "en"] | None = None


class SessionIn(msgspec.Struct, forbid_unknown_fields=True):
    """`presenter_id`: a member; default: the member who presented least (rotation)."""

    presenter_id: UUID | None = None


class ContributionIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Contribution


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    """`text`: the edited draft (decision `edit`); `reason`: why, for a rejection."""

    decision: Literal["approve", "edit", "reject"]
    text: DraftText | None = None
    reason: Reason = ""


class MemberOut(msgspec.Struct):
    id: UUID
    name: str
    presented: int


class CircleOut(msgspec.Struct):
    id: UUID
    name: str
    language: str
    facilitator_id: UUID
    facilitator: str
    members: list[MemberOut]
    # The session under way, if any, and the sessions held, newest first.
    open_session_id: UUID | None
    session_ids: list[UUID]
    created_at: datetime


class ContributionOut(msgspec.Struct):
    id: UUID
    step: str
    author_id: UUID
    author: str
    text: str
    safety_tier: str | None
    created_at: datetime


class DraftOut(msgspec.Struct):
    """Members see approved or edited drafts only; the facilitator sees every state."""

    id: UUID
    kind: str
    text: str
    state: str
    reason: str
    reviewed_at: datetime | None


class SessionOut(msgspec.Struct):
    """`step`: the step under way (`closed` once done), with its suggested minutes and when
    that time is up; `seconds_left` never below 0."""

    id: UUID
    circle_id: UUID
    presenter_id: UUID | None
    presenter: str
    step: str
    step_index: int
    step_minutes: int
    step_ends_at: datetime | None
    seconds_left: int
    closed_at: datetime | None
    contributions: list[ContributionOut]
    drafts: list[DraftOut]
    # The presenter's between-session item made from their action plan: for the presenter
    # only (null for everyone else).
    item_id: UUID | None
    created_at: datetime


class SessionSummary(msgspec.Struct):
    """A session in the circle's history: who presented, when, and whether it is over."""

    id: UUID
    presenter: str
    created_at: datetime
    closed_at: datetime | None


class WrittenOut(msgspec.Struct):
    """`resources`: the organisation's resources, when the guard found something."""

    contribution: ContributionOut
    resources: list[tuple[str, str]]


class CircleExport(msgspec.Struct):
    """A learner's circles in their export: the circle's name and what they wrote."""

    circle: str
    contributions: list[ContributionOut]
