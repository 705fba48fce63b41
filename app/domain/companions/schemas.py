from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from app.db.models import Companion, CompanionFeedback, CompanionSuggestion, FeedbackRequest
from app.lib.schema import NO_ADDRESS, NON_BLANK, Email, Name

Relation = Literal["peer", "colleague", "mentor", "relative", "other"]
# A focused question, and short answers: the form asks for a few sentences, not a report.
Question = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=NON_BLANK)]
Fact = Annotated[str, msgspec.Meta(min_length=1, max_length=2_000, pattern=NON_BLANK)]
Optional = Annotated[str, msgspec.Meta(max_length=2_000, pattern=r"^[^\x00]*$")]
# A kind of person ("a peer who saw you in the Monday meeting"), not an address.
Who = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_ADDRESS)]


class CompanionIn(msgspec.Struct, forbid_unknown_fields=True):
    """`question`: the first feedback request, as the learner reviewed it (see the draft)."""

    name: Name
    email: Email
    relation: Relation
    question: Question
    name_visible_to_coach: bool = False
    # The enrollment whose goal is shared; default: the learner's latest active one.
    enrollment_id: UUID | None = None
    # The coach's suggestion this invitation takes up (it is then marked taken).
    suggestion_id: UUID | None = None


class CompanionPatch(msgspec.Struct, forbid_unknown_fields=True):
    name_visible_to_coach: bool | None = None


class RequestIn(msgspec.Struct, forbid_unknown_fields=True):
    question: Question


class FeedbackIn(msgspec.Struct, forbid_unknown_fields=True):
    """The companion's answer: what they saw (fact), what it did (effect), an idea."""

    fact: Fact
    effect: Fact
    suggestion: Optional = ""


class FeedbackPatch(msgspec.Struct, forbid_unknown_fields=True):
    shared_with_coach: bool


class QuestionDraftOut(msgspec.Struct):
    question: str
    language: str
    goal: str


class RequestOut(msgspec.Struct):
    id: UUID
    companion_id: UUID
    question: str
    answered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, request: FeedbackRequest) -> RequestOut:
        return cls(
            id=request.id,
            companion_id=request.companion_id,
            question=request.question,
            answered_at=request.answered_at,
            created_at=request.created_at,
        )


class CompanionOut(msgspec.Struct):
    id: UUID
    name: str
    email: str
    relation: str
    goal: str
    name_visible_to_coach: bool
    status: Literal["active", "revoked", "expired"]
    expires_at: datetime
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, companion: Companion, now: datetime) -> CompanionOut:
        status: Literal["active", "revoked", "expired"] = (
            "revoked"
            if companion.revoked_at is not None
            else "expired"
            if companion.expires_at <= now
            else "active"
        )
        return cls(
            id=companion.id,
            name=companion.name,
            email=companion.email,
            relation=companion.relation,
            goal=companion.goal,
            name_visible_to_coach=companion.name_visible_to_coach,
            status=status,
            expires_at=companion.expires_at,
            revoked_at=companion.revoked_at,
            created_at=companion.created_at,
        )


class InvitedOut(msgspec.Struct):
    """`link`: the companion's magic link, given once and only when it was not e-mailed (no
    SMTP configured): the learner passes it on themselves."""

    companion: CompanionOut
    request: RequestOut
    mailed: bool
    link: str | None


class FeedbackOut(msgspec.Struct):
    """`companion`: the name for the learner; for a coach, the name only if the learner allowed
    it, otherwise the relation ("a peer")."""

    id: UUID
    learner_id: UUID
    companion_id: UUID | None
    companion: str
    relation: str
    question: str
    fact: str
    effect: str
    suggestion: str
    shared_with_coach: bool
    safety_tier: str | None
    created_at: datetime


class CompanionExport(msgspec.Struct):
    companion: CompanionOut
    requests: list[RequestOut]
    feedback: list[FeedbackOut]


def feedback_out(
    feedback: CompanionFeedback, companion: Companion, question: str, *, named: bool
) -> FeedbackOut:
    return FeedbackOut(
        id=feedback.id,
        learner_id=feedback.learner_id,
        companion_id=companion.id if named else None,
        companion=companion.name if named else "",
        relation=companion.relation,
        question=question,
        fact=feedback.fact,
        effect=feedback.effect,
        suggestion=feedback.suggestion,
        shared_with_coach=feedback.shared_with_coach,
        safety_tier=feedback.safety_tier,
        created_at=feedback.created_at,
    )


class SuggestionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A coach's suggestion: `who`, a kind of person to ask (free text, no e-mail address),
    and a question the learner will review before sending it."""

    learner_id: UUID
    who: Who
    question: Question


SuggestionStatus = Literal["open", "taken", "dismissed"]


class SuggestionOut(msgspec.Struct):
    """`companion_id`: the invitation it became, for the learner only (None for a coach: whom
    the learner asked is theirs)."""

    id: UUID
    learner_id: UUID
    who: str
    question: str
    status: str
    decided_at: datetime | None
    created_at: datetime
    companion_id: UUID | None = None

    @classmethod
    def of(cls, row: CompanionSuggestion, *, learner: bool) -> SuggestionOut:
        return cls(
            id=row.id,
            learner_id=row.learner_id,
            who=row.who,
            question=row.question,
            status=row.status,
            decided_at=row.decided_at,
            created_at=row.created_at,
            companion_id=row.companion_id if learner else None,
        )


class AggregateOut(msgspec.Struct):
    """The answers to a goal from at least three companions, without who said what: no name,
    relation, id or date, and each list in an order that owes nothing to who answered when
    (sorted by a hash of the text). `companions`: how many answered."""

    learner_id: UUID
    goal: str
    companions: int
    facts: list[str]
    effects: list[str]
    suggestions: list[str]


class CircleMemberOut(msgspec.Struct):
    """A companion as the coach sees them: `name` only if the learner allowed it ("" else),
    never the address; `open_questions`: the learner's questions not answered yet."""

    name: str
    relation: str
    status: str
    requests: int
    answered: int
    open_questions: list[str]
