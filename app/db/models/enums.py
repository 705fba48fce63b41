"""Closed vocabularies stored as strings (no native database enums: migrations stay simple)."""

from enum import StrEnum


class Language(StrEnum):
    FR = "fr"
    EN = "en"


class Role(StrEnum):
    LEARNER = "learner"
    COACH = "coach"
    ADMIN = "admin"


class SuggestionKind(StrEnum):
    REFLECTION = "reflection"
    COMPANY_QUESTION = "company_question"
    TEAM_QUESTION = "team_question"
    MICRO_ACTION = "micro_action"


class SuggestionState(StrEnum):
    """draft -> pending_review -> approved | edited | rejected; approved | edited -> delivered."""

    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"
    DELIVERED = "delivered"


# What a learner may ever see. Everything else stays behind the approval gate.
LEARNER_VISIBLE_STATES = frozenset(
    {SuggestionState.APPROVED, SuggestionState.EDITED, SuggestionState.DELIVERED}
)
REVIEWABLE_STATES = frozenset({SuggestionState.PENDING_REVIEW})


class ReviewOutcome(StrEnum):
    APPROVE = "approve"
    EDIT = "edit"
    REJECT = "reject"


class QuestionScale(StrEnum):
    COMPANY = "company"
    TEAM = "team"


class MessageRole(StrEnum):
    LEARNER = "learner"
    ASSISTANT = "assistant"


class MessageStatus(StrEnum):
    STORED = "stored"  # saved; the reply is being written
    REPLIED = "replied"
    FAILED = "failed"  # no reply could be written: `error` says why; the learner may retry


class EscalationStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"


class ApiScope(StrEnum):
    READ = "read"
    WRITE = "write"


class DocumentStatus(StrEnum):
    PENDING = "pending"  # stored, waiting for the indexer
    PROCESSING = "processing"
    INDEXED = "indexed"
    FAILED = "failed"  # `error` says why and what to do


class IntegrationScope(StrEnum):
    """What an integration's learner tokens may reach (app/domain/integrations)."""

    CHAT_LEARNER = "chat:learner"  # the learner's conversations, native and OpenAI-compatible
    REVIEW_READ = "review:read"  # the learner's coach-reviewed items (the feed), read only
