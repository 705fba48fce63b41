"""The coach's weekly digest by e-mail: for each of their learners, what arrived and what was
answered in the last seven days, who went silent, and the open alerts, as counts (no learner's
words: the coach reads those in the app).

Sent once a week per coach, from Monday at the delivery hour in the coach's own time zone (the
settings' when they named none): the outbox's
idempotency key (`digest:<coach>:<ISO week>`) makes it once even across restarts and several
servers, and a server that was down on Monday sends it when it comes back that week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from html import escape

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Answer, Enrollment, Escalation, Suggestion, User
from app.db.models.enums import ApiScope, EscalationStatus, Role
from app.domain import access
from app.domain.notifications.announcer import unsubscribe_url
from app.domain.notifications.outbox import queue_email, queued_keys
from app.domain.notifications.scheduled import MailJob
from app.lib.identity import Identity
from app.lib.time_zones import zone_of
from app.settings import Settings

log = structlog.get_logger("interlude.digest")
WEEK = timedelta(days=7)

_WORDS = {
    "fr": {
        "subject": "Interlude : votre semaine (semaine {week})",
        "intro": "Bonjour {name},\n\nVos apprenants ces sept derniers jours :",
        "line": "- {learner} : {delivered} élément(s) reçu(s), {answered} réponse(s)",
        "silent": " ; aucune réponse depuis sept jours",
        "alerts": " ; {alerts} alerte(s) ouverte(s)",
        "outro": "Tout lire : {link}\n\nNe plus recevoir ce résumé : {unsubscribe}\n",
    },
    "en": {
        "subject": "Interlude: your week (week {week})",
        "intro": "Hello {name},\n\nYour learners over the last seven days:",
        "line": "- {learner}: {delivered} item(s) arrived, {answered} answer(s)",
        "silent": "; no answer for seven days",
        "alerts": "; {alerts} open alert(s)",
        "outro": "Read everything: {link}\n\nStop this digest: {unsubscribe}\n",
    },
}


@dataclass(frozen=True, slots=True)
class LearnerWeek:
    name: str
    delivered: int
    answered: int
    open_alerts: int

    @property
    def silent(self) -> bool:
        return self.delivered > 0 and self.answered == 0


def digest_due_since(now: datetime, settings: Settings, time_zone: str | None = None) -> datetime:
    """This week's Monday at the delivery hour, in the coach's own zone (else the settings'):
    the digest is due from then."""
    zone = zone_of(time_zone, settings.delivery_time_zone)
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(hour=settings.delivery_hour), zone)


def _key(coach: User, year: int, week: int) -> str:
    """Once a week per coach: the outbox's idempotency key."""
    return f"digest:{coach.id}:{year}-W{week:02d}"


class CoachDigest(MailJob):
    name = "digest"

    async def run_once(self) -> int:
        return await self.send_weekly()

    async def send_weekly(self) -> int:
        """Queue this week's digest of every coach who has learners; returns how many."""
        now = self._clock()
        queued = 0
        async with self._sessions() as db, db.begin():
            coaches = (
                await db.scalars(
                    select(User).where(
                        User.role == Role.COACH,
                        User.is_active.is_(True),
                        User.item_emails.is_(True),
                        User.id.in_(select(Enrollment.coach_id).where(Enrollment.is_active)),
                    )
                )
            ).all()
            # Each coach's Monday in their own zone; once queued, a coach costs no more query
            # that week than the one for the keys.
            due = {}
            for coach in coaches:
                if now >= digest_due_since(now, self._settings, coach.time_zone):
                    zone = zone_of(coach.time_zone, self._settings.delivery_time_zone)
                    year, week, _ = now.astimezone(zone).isocalendar()
                    due[_key(coach, year, week)] = (coach, week)
            sent = await queued_keys(db, list(due))
            for key, (coach, week) in due.items():
                if key in sent:
                    continue
                weeks = await _learner_weeks(db, coach, now)
                if weeks:
                    queued += await self._queue(db, coach, weeks, key, week)
        if queued:
            log.info("digests_queued", emails=queued)
        return queued

    async def _queue(
        self, db: AsyncSession, coach: User, weeks: list[LearnerWeek], key: str, week: int
    ) -> bool:
        language = "fr" if coach.locale.value.startswith("fr") else "en"
        words = _WORDS[language]
        lines = []
        for item in weeks:
            line = words["line"].format(
                learner=item.name, delivered=item.delivered, answered=item.answered
            )
            if item.silent:
                line += words["silent"]
            if item.open_alerts:
                line += words["alerts"].format(alerts=item.open_alerts)
            lines.append(line)
        link = f"{self._settings.public_url.rstrip('/')}/coach"
        unsubscribe = unsubscribe_url(self._settings, coach)
        intro = words["intro"].format(name=coach.display_name)
        outro = words["outro"].format(link=link, unsubscribe=unsubscribe)
        text = "\n".join([intro, *lines]) + "\n\n" + outro
        html = (
            f"<p>{escape(intro).replace(chr(10), '<br>')}</p><ul>"
            + "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            + "</ul>"
            + "".join(f"<p>{escape(part)}</p>" for part in outro.strip().split("\n\n"))
        )
        return await queue_email(
            db,
            organization_id=coach.organization_id,
            key=key,
            to=coach.email,
            subject=words["subject"].format(week=week),
            text=text,
            html=html,
        )


async def _learner_weeks(db: AsyncSession, coach: User, now: datetime) -> list[LearnerWeek]:
    """Counts only, read through the coach's own access rules."""
    identity = Identity(
        organization_id=coach.organization_id,
        user_id=coach.id,
        role=Role.COACH,
        via="job",
        scopes=frozenset(ApiScope),
    )
    since = now - WEEK
    learners = (
        await db.scalars(
            select(User)
            .where(User.id.in_(access.coach_learner_ids(identity)), User.is_active.is_(True))
            .order_by(User.display_name)
        )
    ).all()
    weeks = []
    for learner in learners:
        delivered = await db.scalar(
            select(func.count(Suggestion.id)).where(
                access.visible_suggestions(identity, now),
                access.learner_can_see_suggestion(now),  # arrived: approved, and due
                Suggestion.learner_id == learner.id,
                Suggestion.deliver_at > since,
                Suggestion.deliver_at <= now,
            )
        )
        answered = await db.scalar(
            select(func.count(Answer.id)).where(
                access.visible_answers(identity),
                Answer.learner_id == learner.id,
                Answer.created_at > since,
            )
        )
        alerts = await db.scalar(
            select(func.count(Escalation.id)).where(
                access.visible_escalations(identity),
                Escalation.learner_id == learner.id,
                Escalation.status == EscalationStatus.OPEN,
            )
        )
        weeks.append(
            LearnerWeek(
                name=learner.display_name,
                delivered=int(delivered or 0),
                answered=int(answered or 0),
                open_alerts=int(alerts or 0),
            )
        )
    return weeks
