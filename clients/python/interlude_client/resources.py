"""The resources an integrator needs, each a thin typed layer over its operations (their
OpenAPI `operationId` in each method's docstring, pinned by the server's tests)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from interlude_client.models import (
    ALL_EVENTS,
    ApiKey,
    ApiKeyCreated,
    ChatTurn,
    Conversation,
    Delivery,
    EventType,
    Message,
    Page,
    Suggestion,
    User,
    Webhook,
    WebhookCreated,
)

if TYPE_CHECKING:
    from interlude_client.client import Interlude

PAGE_SIZE = 50


class _Resource:
    def __init__(self, client: Interlude) -> None:
        self._client = client

    def _call(self, method: str, path: str, **options: Any) -> Any:
        return self._client.request(method, path, **options)


class ApiKeys(_Resource):
    def create(self, name: str, *, idempotency_key: str | None = None) -> ApiKeyCreated:
        """`apiKeyCreate`: a key for the caller; keep `.secret`, it is shown once."""
        answer = self._call(
            "POST", "/api-keys", json={"name": name}, idempotency_key=idempotency_key
        )
        return ApiKeyCreated.of(answer)

    def list(self, *, limit: int = PAGE_SIZE, cursor: str | None = None) -> Page[ApiKey]:
        """`apiKeyListKeys`: the caller's keys (an admin's: the organisation's)."""
        answer = self._call("GET", "/api-keys", params={"limit": limit, "cursor": cursor})
        return Page.of(answer, ApiKey.of)

    def revoke(self, key_id: UUID) -> None:
        """`apiKeyRevoke`."""
        self._call("DELETE", f"/api-keys/{key_id}")


class Learners(_Resource):
    """The learners the caller may see: a coach's own, or all of an admin's organisation."""

    def list(self, *, limit: int = PAGE_SIZE, cursor: str | None = None) -> Page[User]:
        """`userListUsers` with `role=learner`."""
        params = {"role": "learner", "limit": limit, "cursor": cursor}
        return Page.of(self._call("GET", "/users", params=params), User.of)

    def all(self) -> Iterator[User]:
        """Every page of `list`, one learner at a time."""
        cursor: str | None = None
        while True:
            page = self.list(cursor=cursor, limit=200)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def get(self, learner_id: UUID) -> User:
        """`userGetOne`."""
        return User.of(self._call("GET", f"/users/{learner_id}"))


class Chat(_Resource):
    """The native chat, as a learner (a learner's key or login)."""

    def start(
        self,
        *,
        title: str = "",
        shared_with_coach: bool = False,
        idempotency_key: str | None = None,
    ) -> Conversation:
        """`conversationCreate`."""
        body = {"title": title, "shared_with_coach": shared_with_coach}
        answer = self._call("POST", "/conversations", json=body, idempotency_key=idempotency_key)
        return Conversation.of(answer)

    def send(
        self, conversation_id: UUID, content: str, *, idempotency_key: str | None = None
    ) -> ChatTurn:
        """`conversationPostMessage`: the message is stored first, then answered; a reply that
        failed comes as `reply=None` (the message says why) and `retry` asks again. Pass an
        `idempotency_key` to resend safely after a network error."""
        answer = self._call(
            "POST",
            f"/conversations/{conversation_id}/messages",
            json={"content": content},
            idempotency_key=idempotency_key,
        )
        return ChatTurn.of(answer)

    def retry(self, conversation_id: UUID, message_id: UUID) -> ChatTurn:
        """`conversationRetry`: answer again a message whose reply failed."""
        path = f"/conversations/{conversation_id}/messages/{message_id}/retry"
        return ChatTurn.of(self._call("POST", path))

    def messages(
        self, conversation_id: UUID, *, limit: int = PAGE_SIZE, cursor: str | None = None
    ) -> Page[Message]:
        """`conversationMessages`, oldest first."""
        path = f"/conversations/{conversation_id}/messages"
        answer = self._call("GET", path, params={"limit": limit, "cursor": cursor})
        return Page.of(answer, Message.of)

    def list(self, *, limit: int = PAGE_SIZE, cursor: str | None = None) -> Page[Conversation]:
        """`conversationListConversations`."""
        answer = self._call("GET", "/conversations", params={"limit": limit, "cursor": cursor})
        return Page.of(answer, Conversation.of)


class Review(_Resource):
    """The coach's review of drafted items: nothing reaches a learner unless approved here."""

    def pending(
        self,
        *,
        learner_id: UUID | None = None,
        limit: int = PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[Suggestion]:
        """`suggestionQueue` with `state=pending_review`: the drafts awaiting the coach."""
        params = {
            "state": "pending_review",
            "learner_id": learner_id,
            "limit": limit,
            "cursor": cursor,
        }
        return Page.of(self._call("GET", "/suggestions", params=params), Suggestion.of)

    def get(self, suggestion_id: UUID) -> Suggestion:
        """`suggestionGetOne`."""
        return Suggestion.of(self._call("GET", f"/suggestions/{suggestion_id}"))

    def approve(self, suggestion_id: UUID, *, deliver_at: datetime | None = None) -> Suggestion:
        """`suggestionApprove`; `deliver_at` moves the day the learner gets it (aware time)."""
        body = {"deliver_at": deliver_at.isoformat()} if deliver_at else {}
        return Suggestion.of(self._call("POST", f"/suggestions/{suggestion_id}/approve", json=body))

    def edit(
        self, suggestion_id: UUID, text: str, *, deliver_at: datetime | None = None
    ) -> Suggestion:
        """`suggestionEdit`: approve it in the coach's own words."""
        body: dict[str, str] = {"text": text}
        if deliver_at:
            body["deliver_at"] = deliver_at.isoformat()
        return Suggestion.of(self._call("POST", f"/suggestions/{suggestion_id}/edit", json=body))

    def reject(self, suggestion_id: UUID, reason: str) -> Suggestion:
        """`suggestionReject`: the reason is kept with the draft, for the agent's evals."""
        path = f"/suggestions/{suggestion_id}/reject"
        return Suggestion.of(self._call("POST", path, json={"reason": reason}))


class Webhooks(_Resource):
    """The organisation's webhook endpoints (an admin's key or login)."""

    def create(
        self,
        url: str,
        events: Iterable[EventType] = ALL_EVENTS,
        *,
        idempotency_key: str | None = None,
    ) -> WebhookCreated:
        """`webhookCreate`: keep `.secret` to verify signatures, it is shown once."""
        body = {"url": url, "events": list(events)}
        answer = self._call("POST", "/webhooks", json=body, idempotency_key=idempotency_key)
        return WebhookCreated.of(answer)

    def list(self, *, limit: int = PAGE_SIZE, cursor: str | None = None) -> Page[Webhook]:
        """`webhookListWebhooks`."""
        answer = self._call("GET", "/webhooks", params={"limit": limit, "cursor": cursor})
        return Page.of(answer, Webhook.of)

    def deliveries(
        self, webhook_id: UUID, *, limit: int = PAGE_SIZE, cursor: str | None = None
    ) -> Page[Delivery]:
        """`webhookDeliveries`: each with its status, attempts and the receiver's last answer."""
        path = f"/webhooks/{webhook_id}/deliveries"
        return Page.of(
            self._call("GET", path, params={"limit": limit, "cursor": cursor}), Delivery.of
        )

    def replay(self, delivery_id: UUID) -> Delivery:
        """`webhookReplay`: send a delivery again (the same event id, for the receiver's dedup)."""
        return Delivery.of(self._call("POST", f"/webhooks/deliveries/{delivery_id}/replay"))

    def enable(self, webhook_id: UUID) -> Webhook:
        """`webhookEnable`: turn back on an endpoint disabled after a day of failures."""
        return Webhook.of(self._call("POST", f"/webhooks/{webhook_id}/enable"))

    def remove(self, webhook_id: UUID) -> None:
        """`webhookRemove`."""
        self._call("DELETE", f"/webhooks/{webhook_id}")
