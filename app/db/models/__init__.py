"""Every ORM model, imported here so Alembic and the app share one metadata."""

from app.db.models._account_token import AccountToken
from app.db.models._agent_run import AgentRun
from app.db.models._api_key import ApiKey
from app.db.models._audit_event import AuditEvent
from app.db.models._circle import (
    Circle,
    CircleContribution,
    CircleDraft,
    CircleMember,
    CircleSession,
)
from app.db.models._coaching_session import CoachingSession
from app.db.models._companion import (
    Companion,
    CompanionFeedback,
    CompanionSuggestion,
    FeedbackRequest,
)
from app.db.models._conversation import Conversation, Message
from app.db.models._document import Document
from app.db.models._enrollment import Enrollment
from app.db.models._escalation import Escalation
from app.db.models._integration import Integration
from app.db.models._journal import JournalEntry
from app.db.models._organization import Organization
from app.db.models._outbound_email import OutboundEmail
from app.db.models._program import Program, ProgramModule
from app.db.models._question_bank import QuestionBankEntry
from app.db.models._suggestion import Answer, ReviewDecision, Suggestion
from app.db.models._user import LoginSession, User
from app.db.models._webhook import WebhookDelivery, WebhookEndpoint
from app.db.models.base import Base

metadata = Base.metadata

__all__ = [
    "AccountToken",
    "AgentRun",
    "Answer",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Circle",
    "CircleContribution",
    "CircleDraft",
    "CircleMember",
    "CircleSession",
    "CoachingSession",
    "Companion",
    "CompanionFeedback",
    "CompanionSuggestion",
    "Conversation",
    "Document",
    "Enrollment",
    "Escalation",
    "FeedbackRequest",
    "Integration",
    "JournalEntry",
    "LoginSession",
    "Message",
    "Organization",
    "OutboundEmail",
    "Program",
    "ProgramModule",
    "QuestionBankEntry",
    "ReviewDecision",
    "Suggestion",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
]
