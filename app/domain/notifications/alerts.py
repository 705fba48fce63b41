"""The e-mail a coach gets when the safety guard raises an urgent alert for their learner.

It says who, what kind of alert and when, and links to the coach's page: never what the
learner wrote (the coach reads a conversation only if the learner shared it).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Escalation, User
from app.domain.notifications.outbox import html_paragraphs, queue_email
from app.web.i18n import text

_WORDS = {
    "fr": {
        "subject": "Alerte urgente : {learner}",
        "body": (
            "Bonjour {coach},\n\n"
            "Le compagnon Interlude a levé une alerte urgente pour {learner} ({category}).\n"
            "Prenez contact dès que possible. Le contenu du message ne vous est pas transmis ; "
            "les ressources d'urgence de votre organisation lui ont été données.\n\n"
            "Voir l'alerte : {link}\n"
        ),
    },
    "en": {
        "subject": "Urgent alert: {learner}",
        "body": (
            "Hello {coach},\n\n"
            "The Interlude companion raised an urgent alert for {learner} ({category}).\n"
            "Please get in touch as soon as you can. What they wrote is not passed on to you; "
            "they were given your organisation's emergency resources.\n\n"
            "See the alert: {link}\n"
        ),
    },
}


@dataclass(frozen=True, slots=True)
class AlertMail:
    """Whether urgent alerts are e-mailed (SMTP configured), and where the app is reached."""

    public_url: str


async def queue_urgent_alert(
    db: AsyncSession, escalation: Escalation, mail: AlertMail, coach_id: UUID
) -> None:
    coach = await db.get(User, coach_id)
    learner = await db.get(User, escalation.learner_id)
    if coach is None or learner is None or not coach.email:
        return
    language = "fr" if coach.locale.value.startswith("fr") else "en"
    words = _WORDS[language]
    values = {
        "coach": coach.display_name,
        "learner": learner.display_name,
        "category": text(f"category.{escalation.category}", language, fallback=escalation.category),
        "link": f"{mail.public_url.rstrip('/')}/coach#escalations",
    }
    body = words["body"].format(**values)
    html_values = {key: escape(value) for key, value in values.items()}
    html = html_paragraphs(words["body"].format(**html_values))
    await queue_email(
        db,
        organization_id=escalation.organization_id,
        key=f"escalation:{escalation.id}",
        to=coach.email,
        subject=words["subject"].format(**values),
        text=body,
        html=html,
        learner_id=escalation.learner_id,
    )
