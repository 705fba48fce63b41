"""Telling a learner by e-mail that something from their coach has arrived.

Between two sessions the learner does not log in every day: on the day an approved item
becomes due (its `deliver_at`, a plan's rhythm), one e-mail says so, in their language, with a
link to their page and one to stop these e-mails. It never carries the item's words (the
coaching stays in the app, behind the login), only how many items arrived.

Each item is announced once (`announced_at`), through the outbox (sent once, retried); items of
one learner due in the same pass share one e-mail. An item still unanswered
`reminder_after_days` after it was announced is recalled once (`reminded_at`), the same way.
A learner who turned the e-mails off still has their items marked, so turning them on again
does not flood them with old news.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.db.models import Answer, Organization, Suggestion, User
from app.db.models.enums import SuggestionState
from app.domain.notifications.outbox import html_paragraphs, queue_email, queued_keys
from app.domain.notifications.scheduled import MailJob
from app.domain.organizations.schemas import QuietHours
from app.lib.security import new_token
from app.settings import Settings

log = structlog.get_logger("interlude.announcer")
BATCH = 2_000
UNSUBSCRIBE_PATH = "/unsubscribe"
_DUE = (SuggestionState.APPROVED, SuggestionState.EDITED)
# An item the learner may still answer: due, or already shown to them.
_REMINDABLE = (*_DUE, SuggestionState.DELIVERED)

_WORDS = {
    "fr": {
        "subject": "Du nouveau de votre coach",
        "body": (
            "Bonjour {name},\n\n"
            "{count} de la part de votre coach vous attend dans Interlude.\n\n"
            "Le lire : {link}\n\n"
            "Ne plus recevoir ces e-mails : {unsubscribe}\n"
        ),
        "count_one": "Une réflexion ou une question",
        "count_many": "{n} réflexions ou questions",
        "reminder_subject": "Votre coach attend votre réponse",
        "reminder_body": (
            "Bonjour {name},\n\n"
            "{count} de la part de votre coach attend toujours votre réponse dans Interlude. "
            "Quelques lignes suffisent.\n\n"
            "Y répondre : {link}\n\n"
            "Ne plus recevoir ces e-mails : {unsubscribe}\n"
        ),
    },
    "en": {
        "subject": "Something new from your coach",
        "body": (
            "Hello {name},\n\n"
            "{count} from your coach is waiting for you in Interlude.\n\n"
            "Read it: {link}\n\n"
            "Stop these e-mails: {unsubscribe}\n"
        ),
        "count_one": "A reflection or a question",
        "count_many": "{n} reflections or questions",
        "reminder_subject": "Your coach is waiting for your answer",
        "reminder_body": (
            "Hello {name},\n\n"
            "{count} from your coach is still waiting for your answer in Interlude. "
            "A few lines are enough.\n\n"
            "Answer it: {link}\n\n"
            "Stop these e-mails: {unsubscribe}\n"
        ),
    },
}


Kind = Literal["items", "reminder"]


def _key(items: list[Suggestion], kind: Kind = "items") -> str:
    """Each item is announced (and recalled) once: the first item's id makes the e-mail's
    unique key."""
    return f"{kind}:{items[0].id}"


def unsubscribe_url(settings: Settings, person: User) -> str:
    """The link that stops these e-mails for this person; their token is made on first use."""
    if person.unsubscribe_token is None:
        person.unsubscribe_token = new_token()
    return f"{settings.public_url.rstrip('/')}{UNSUBSCRIBE_PATH}?token={person.unsubscribe_token}"


async def quiet_organizations(db: AsyncSession, now: datetime, time_zone: str) -> list[UUID]:
    """The organisations whose policy's quiet hours cover this moment (local time). Few
    organisations set them, and a deployment holds few organisations: read them all."""
    hour = now.astimezone(ZoneInfo(time_zone)).hour
    rows = await db.execute(select(Organization.id, Organization.policy))
    return [
        org_id
        for org_id, policy in rows.all()
        if policy.get("quiet_hours") and QuietHours(**policy["quiet_hours"]).cover(hour)
    ]


class ItemAnnouncer(MailJob):
    """Runs with the app when SMTP is configured."""

    name = "announcer"

    async def run_once(self) -> int:
        return await self.announce_due() + await self.remind_unanswered()

    async def announce_due(self) -> int:
        """Queue one e-mail per learner with items due now and not yet announced; returns
        how many e-mails were queued."""
        now = self._clock()
        due = (
            Suggestion.announced_at.is_(None),
            Suggestion.deliver_at <= now,
            Suggestion.state.in_(_DUE),
        )
        return await self._pass("items", due, Suggestion.deliver_at, now)

    async def remind_unanswered(self) -> int:
        """Queue one reminder per learner with items announced `reminder_after_days` ago or
        more and still unanswered; each item is recalled once (`reminded_at`)."""
        days = self._settings.reminder_after_days
        if not days:
            return 0
        now = self._clock()
        answered = select(Answer.id).where(Answer.suggestion_id == Suggestion.id)
        due = (
            Suggestion.reminded_at.is_(None),
            Suggestion.announced_at <= now - timedelta(days=days),
            Suggestion.state.in_(_REMINDABLE),
            ~answered.exists(),
        )
        return await self._pass("reminder", due, Suggestion.announced_at, now)

    async def _pass(
        self,
        kind: Kind,
        due: tuple[ColumnElement[bool], ...],
        when: InstrumentedAttribute[datetime | None],
        now: datetime,
    ) -> int:
        """Mark the items `due` (announced or recalled: `kind`) and queue their e-mails, in one
        transaction: the marks and the mails commit together (two servers racing queue the
        same idempotency key once). Organisations in their quiet hours wait."""
        async with self._sessions() as db, db.begin():
            quiet = await quiet_organizations(db, now, self._settings.delivery_time_zone)
            items = (
                await db.scalars(
                    select(Suggestion)
                    .where(*due, Suggestion.organization_id.not_in(quiet))
                    # A learner's items together: one e-mail for all that are due at once.
                    .order_by(Suggestion.learner_id, when, Suggestion.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for item in items:
                setattr(item, "announced_at" if kind == "items" else "reminded_at", now)
            queued = await self._mail(db, items, kind)
        if queued:
            log.info("items_announced", kind=kind, emails=queued, items=len(items))
        return queued

    async def _mail(self, db: AsyncSession, items: Sequence[Suggestion], kind: Kind) -> int:
        """One e-mail per learner of `items` who takes them; returns how many were queued."""
        by_learner: dict[UUID, list[Suggestion]] = defaultdict(list)
        for item in items:
            by_learner[item.learner_id].append(item)
        # Two queries for the whole batch, not two per learner.
        learners = await db.scalars(select(User).where(User.id.in_(by_learner)))
        keys = [_key(mine, kind) for mine in by_learner.values()]
        queued_already = await queued_keys(db, keys)
        queued = 0
        for learner in learners:
            mine = by_learner[learner.id]
            if not learner.is_active or not learner.item_emails:
                continue
            if _key(mine, kind) not in queued_already:
                queued += await self._queue(db, learner, mine, kind)
        return queued

    async def _queue(
        self, db: AsyncSession, learner: User, items: list[Suggestion], kind: Kind = "items"
    ) -> bool:
        language = "fr" if learner.locale.value.startswith("fr") else "en"
        words = _WORDS[language]
        count = words["count_one"] if len(items) == 1 else words["count_many"].format(n=len(items))
        values = {
            "name": learner.display_name,
            "count": count,
            "link": f"{self._settings.public_url.rstrip('/')}/me",
            "unsubscribe": unsubscribe_url(self._settings, learner),
        }
        body = words["body" if kind == "items" else "reminder_body"]
        text = body.format(**values)
        safe = {key: escape(value) for key, value in values.items()}
        for key in ("link", "unsubscribe"):
            safe[key] = f'<a href="{escape(values[key])}">{escape(values[key])}</a>'
        html = html_paragraphs(body.format(**safe))
        return await queue_email(
            db,
            organization_id=learner.organization_id,
            key=_key(items, kind),
            key_checked=True,
            to=learner.email,
            subject=words["subject" if kind == "items" else "reminder_subject"],
            text=text,
            html=html,
            learner_id=learner.id,
        )
