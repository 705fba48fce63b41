"""What an organisation's webhooks are told, queued in the transaction of what happened.

`enqueue` writes one delivery row per enabled endpoint subscribed to the event type, next to the
state change: a change rolled back sends nothing, and a process stopping before the send loses
nothing (the worker, app/domain/webhooks/delivery.py, finds the row). The event's id is derived
from its type and subject (a uuid5), so queueing the same event twice is a no-op and receivers
can dedupe on it.

Payloads carry ids, the type, the time and the organisation, and for an alert its tier and
category: never a suggestion's text, an answer or a message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Answer, Escalation, Suggestion, WebhookDelivery, WebhookEndpoint
from app.lib.clock import utcnow

DRAFT_READY = "draft.ready"
ITEM_APPROVED = "item.approved"
ITEM_DELIVERED = "item.delivered"
ANSWER_RECEIVED = "answer.received"
ALERT_RAISED = "alert.raised"
EVENT_TYPES = (DRAFT_READY, ITEM_APPROVED, ITEM_DELIVERED, ANSWER_RECEIVED, ALERT_RAISED)

_NAMESPACE = UUID("6f1c2a52-5d0e-4e1b-9a39-0d4f7b8e2c11")
# Session.info key of a `Wakeup` (set on the app's session maker, app/asgi.py).
WAKEUP_KEY = "webhook_wakeup"
_PENDING_WAKE = "webhook_wake_pending"


class Wakeup:
    """Wakes the delivery worker once a transaction that queued a delivery has committed, so
    a healthy receiver hears of an event well within a second instead of at the next poll."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], None]] = []

    def subscribe(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def fire(self) -> None:
        for callback in self._callbacks:
            callback()


def event_id(event_type: str, subject_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, f"{event_type}:{subject_id}")


async def enqueue(
    db: AsyncSession,
    *,
    organization_id: UUID,
    event_type: str,
    subject_id: UUID,
    data: dict[str, Any],
    at: datetime | None = None,
) -> int:
    """Queue the event for the organisation's subscribed endpoints; returns how many."""
    endpoints = (
        await db.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.organization_id == organization_id,
                WebhookEndpoint.enabled.is_(True),
            )
        )
    ).all()
    chosen = [e for e in endpoints if event_type in e.events]
    if not chosen:
        return 0
    when = at or utcnow()
    the_id = event_id(event_type, subject_id)
    keys = {f"{e.id}:{the_id}": e for e in chosen}
    queued = set(
        await db.scalars(
            select(WebhookDelivery.idempotency_key).where(
                WebhookDelivery.idempotency_key.in_(list(keys))
            )
        )
    )
    payload = {
        "id": str(the_id),
        "type": event_type,
        "created_at": when.isoformat(),
        "organization_id": str(organization_id),
        "data": data,
    }
    added = 0
    for key, endpoint in keys.items():
        if key in queued:
            continue
        db.add(
            WebhookDelivery(
                organization_id=organization_id,
                endpoint_id=endpoint.id,
                event_id=the_id,
                event_type=event_type,
                idempotency_key=key,
                payload=payload,
                next_attempt_at=when,
            )
        )
        added += 1
    if added:
        wake_after_commit(db)
    return added


def wake_after_commit(db: AsyncSession) -> None:
    wakeup = db.info.get(WAKEUP_KEY)
    if not isinstance(wakeup, Wakeup) or db.info.get(_PENDING_WAKE):
        return
    db.info[_PENDING_WAKE] = True

    def after_commit(session: Any) -> None:
        session.info.pop(_PENDING_WAKE, None)
        wakeup.fire()

    event.listen(db.sync_session, "after_commit", after_commit, once=True)


def _item_data(item: Suggestion) -> dict[str, Any]:
    return {
        "suggestion_id": str(item.id),
        "learner_id": str(item.learner_id),
        "coach_id": str(item.coach_id),
        "kind": str(item.kind),  # an enum, or its value when just made from a draft
        "state": str(item.state),
        "deliver_at": item.deliver_at.isoformat() if item.deliver_at else None,
    }


async def items_event(db: AsyncSession, event_type: str, items: list[Suggestion]) -> None:
    """A draft ready for review, an item approved (or edited) or delivered."""
    for item in items:
        await enqueue(
            db,
            organization_id=item.organization_id,
            event_type=event_type,
            subject_id=item.id,
            data=_item_data(item),
        )


async def answer_received(db: AsyncSession, answer: Answer) -> None:
    await enqueue(
        db,
        organization_id=answer.organization_id,
        event_type=ANSWER_RECEIVED,
        subject_id=answer.id,
        data={
            "answer_id": str(answer.id),
            "suggestion_id": str(answer.suggestion_id),
            "learner_id": str(answer.learner_id),
        },
    )


async def alert_raised(db: AsyncSession, escalation: Escalation) -> None:
    """The tier and the category only: the learner's words stay out of the payload."""
    await enqueue(
        db,
        organization_id=escalation.organization_id,
        event_type=ALERT_RAISED,
        subject_id=escalation.id,
        data={
            "escalation_id": str(escalation.id),
            "learner_id": str(escalation.learner_id),
            "coach_id": str(escalation.coach_id) if escalation.coach_id else None,
            "tier": escalation.tier,
            "category": escalation.category,
        },
    )
