"""The API's main resources as frozen dataclasses, read from its JSON answers.

Each mirrors one schema of `/schema/openapi.json` (named in its docstring). Fields a newer
server adds are ignored, so an older client keeps working; a field it removes is a breaking
change the server's OpenAPI tests would show first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

T = TypeVar("T")
Json = dict[str, Any]
Role = Literal["learner", "coach", "admin"]
SuggestionState = Literal["draft", "pending_review", "approved", "edited", "rejected", "delivered"]
EventType = Literal[
    "draft.ready", "item.approved", "item.delivered", "answer.received", "alert.raised"
]
ALL_EVENTS: tuple[EventType, ...] = (
    "draft.ready",
    "item.approved",
    "item.delivered",
    "answer.received",
    "alert.raised",
)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _id(value: str | None) -> UUID | None:
    return UUID(value) if value else None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A page of a list; pass `next_cursor` as `cursor` for the next one (None: the last)."""

    items: list[T]
    next_cursor: str | None

    @classmethod
    def of(cls, data: Json, item: Callable[[Json], T]) -> Page[T]:
        return cls([item(i) for i in data["items"]], data.get("next_cursor"))


@dataclass(frozen=True, slots=True)
class User:
    """`UserOut`: a person of the organisation."""

    id: UUID
    email: str
    display_name: str
    role: Role
    locale: str
    is_active: bool
    created_at: datetime
    time_zone: str | None

    @classmethod
    def of(cls, d: Json) -> User:
        return cls(
            id=UUID(d["id"]),
            email=d["email"],
            display_name=d["display_name"],
            role=d["role"],
            locale=d["locale"],
            is_active=d["is_active"],
            created_at=datetime.fromisoformat(d["created_at"]),
            time_zone=d.get("time_zone"),
        )


@dataclass(frozen=True, slots=True)
class Me:
    """`MeOut`: who the key or session acts for, and how (`via`: `api_key` or `session`)."""

    user: User
    organization_slug: str
    organization_name: str
    via: str

    @classmethod
    def of(cls, d: Json) -> Me:
        return cls(User.of(d["user"]), d["organization_slug"], d["organization_name"], d["via"])


@dataclass(frozen=True, slots=True)
class ApiKey:
    """`ApiKeyOut`: a key, without its secret."""

    id: UUID
    name: str
    prefix: str
    user_id: UUID
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, d: Json) -> ApiKey:
        return cls(
            id=UUID(d["id"]),
            name=d["name"],
            prefix=d["prefix"],
            user_id=UUID(d["user_id"]),
            scopes=list(d["scopes"]),
            created_at=datetime.fromisoformat(d["created_at"]),
            last_used_at=_time(d.get("last_used_at")),
            revoked_at=_time(d.get("revoked_at")),
        )


@dataclass(frozen=True, slots=True)
class ApiKeyCreated:
    """`ApiKeyCreated`: the new key and its secret, which the server shows this once."""

    key: ApiKey
    secret: str

    @classmethod
    def of(cls, d: Json) -> ApiKeyCreated:
        return cls(ApiKey.of(d["key"]), d["secret"])


@dataclass(frozen=True, slots=True)
class Citation:
    """A passage of the organisation's knowledge that a reply or a draft cites."""

    chunk_id: str
    document_id: str | None
    title: str
    quote: str

    @classmethod
    def of(cls, d: Json) -> Citation:
        return cls(d["chunk_id"], d.get("document_id"), d.get("title", ""), d.get("quote", ""))


@dataclass(frozen=True, slots=True)
class Conversation:
    """`ConversationOut`."""

    id: UUID
    learner_id: UUID
    title: str
    shared_with_coach: bool
    created_at: datetime

    @classmethod
    def of(cls, d: Json) -> Conversation:
        return cls(
            id=UUID(d["id"]),
            learner_id=UUID(d["learner_id"]),
            title=d["title"],
            shared_with_coach=d["shared_with_coach"],
            created_at=datetime.fromisoformat(d["created_at"]),
        )


@dataclass(frozen=True, slots=True)
class Message:
    """`MessageOut`: a learner's message (`role` learner) or the companion's reply.

    `status` is `stored`, `replied` or `failed` (then `error` says why; `Chat.retry` asks
    again). `safety` is set on a reply the safety guard wrote: `tier`, `category`, `coach`.
    """

    id: UUID
    conversation_id: UUID
    role: Literal["learner", "assistant"]
    content: str
    status: Literal["stored", "replied", "failed"]
    citations: list[Citation]
    created_at: datetime
    reply_to_id: UUID | None
    error: str
    safety: dict[str, str] | None

    @classmethod
    def of(cls, d: Json) -> Message:
        return cls(
            id=UUID(d["id"]),
            conversation_id=UUID(d["conversation_id"]),
            role=d["role"],
            content=d["content"],
            status=d["status"],
            citations=[Citation.of(c) for c in d["citations"]],
            created_at=datetime.fromisoformat(d["created_at"]),
            reply_to_id=_id(d.get("reply_to_id")),
            error=d.get("error", ""),
            safety=d.get("safety"),
        )


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """`ChatTurnOut`: the stored message and the reply (None when it failed: retry it)."""

    message: Message
    reply: Message | None

    @classmethod
    def of(cls, d: Json) -> ChatTurn:
        reply = d.get("reply")
        return cls(Message.of(d["message"]), Message.of(reply) if reply else None)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """`SuggestionOut`: a drafted item, as the coach reviews it."""

    id: UUID
    learner_id: UUID
    session_id: UUID | None
    kind: str
    text: str
    rationale: str
    citations: list[Citation]
    skill: str
    language: str
    state: SuggestionState
    deliver_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, d: Json) -> Suggestion:
        return cls(
            id=UUID(d["id"]),
            learner_id=UUID(d["learner_id"]),
            session_id=_id(d.get("session_id")),
            kind=d["kind"],
            text=d["text"],
            rationale=d["rationale"],
            citations=[Citation.of(c) for c in d["citations"]],
            skill=d["skill"],
            language=d["language"],
            state=d["state"],
            deliver_at=_time(d.get("deliver_at")),
            delivered_at=_time(d.get("delivered_at")),
            created_at=datetime.fromisoformat(d["created_at"]),
            updated_at=datetime.fromisoformat(d["updated_at"]),
        )


@dataclass(frozen=True, slots=True)
class Webhook:
    """`WebhookOut`: an endpoint; `failing_since` is set while its deliveries fail."""

    id: UUID
    url: str
    events: list[str]
    enabled: bool
    created_at: datetime
    disabled_at: datetime | None
    failing_since: datetime | None

    @classmethod
    def of(cls, d: Json) -> Webhook:
        return cls(
            id=UUID(d["id"]),
            url=d["url"],
            events=list(d["events"]),
            enabled=d["enabled"],
            created_at=datetime.fromisoformat(d["created_at"]),
            disabled_at=_time(d.get("disabled_at")),
            failing_since=_time(d.get("failing_since")),
        )


@dataclass(frozen=True, slots=True)
class WebhookCreated:
    """`WebhookCreated`: the endpoint and its signing secret, which the server shows this once."""

    webhook: Webhook
    secret: str

    @classmethod
    def of(cls, d: Json) -> WebhookCreated:
        return cls(Webhook.of(d["webhook"]), d["secret"])


@dataclass(frozen=True, slots=True)
class Delivery:
    """`DeliveryOut`: one event sent (or to be sent) to one endpoint."""

    id: UUID
    endpoint_id: UUID
    event_id: UUID
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None
    last_error: str
    next_attempt_at: datetime
    delivered_at: datetime | None
    replay_of_id: UUID | None
    payload: Json

    @classmethod
    def of(cls, d: Json) -> Delivery:
        return cls(
            id=UUID(d["id"]),
            endpoint_id=UUID(d["endpoint_id"]),
            event_id=UUID(d["event_id"]),
            event_type=d["event_type"],
            status=d["status"],
            attempts=d["attempts"],
            last_status=d.get("last_status"),
            last_error=d.get("last_error", ""),
            next_attempt_at=datetime.fromisoformat(d["next_attempt_at"]),
            delivered_at=_time(d.get("delivered_at")),
            replay_of_id=_id(d.get("replay_of_id")),
            payload=d["payload"],
        )
