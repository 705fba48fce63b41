"""A typed Python client for Interlude's REST API (`/api/v1`)."""

from interlude_client.client import Interlude
from interlude_client.errors import InterludeError
from interlude_client.models import (
    ALL_EVENTS,
    ApiKey,
    ApiKeyCreated,
    ChatTurn,
    Citation,
    Conversation,
    Delivery,
    Me,
    Message,
    Page,
    Suggestion,
    User,
    Webhook,
    WebhookCreated,
)

__all__ = [
    "ALL_EVENTS",
    "ApiKey",
    "ApiKeyCreated",
    "ChatTurn",
    "Citation",
    "Conversation",
    "Delivery",
    "Interlude",
    "InterludeError",
    "Me",
    "Message",
    "Page",
    "Suggestion",
    "User",
    "Webhook",
    "WebhookCreated",
]
