"""The e-mail that gives a companion their link, in the learner's language.

Queued through the outbox in the invitation's transaction and blanked once sent (it holds
the link); it names the learner, so it counts among the learner's e-mails and goes with an
erasure.
"""

from __future__ import annotations

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Companion
from app.domain.notifications.outbox import html_paragraphs, queue_email

_WORDS = {
    "fr": {
        "subject": "{learner} vous demande un retour",
        "body": (
            "Bonjour {name},\n\n"
            "{learner} suit un parcours de développement et vous a choisi(e) pour l'accompagner "
            "sur cet objectif : « {goal} ».\n\n"
            "Sa question : {question}\n\n"
            "Répondez en quelques lignes avec ce lien personnel (aucun compte n'est "
            "nécessaire) :\n\n{link}\n\n"
            "Le lien expire le {expires} (UTC) ; {learner} peut le retirer à tout moment. "
            "Vous ne verrez que ce que {learner} a choisi de partager.\n"
        ),
    },
    "en": {
        "subject": "{learner} asks for your feedback",
        "body": (
            "Hello {name},\n\n"
            "{learner} is following a development programme and chose you to accompany this "
            'goal: "{goal}".\n\n'
            "Their question: {question}\n\n"
            "Answer in a few lines with this personal link (no account needed):\n\n{link}\n\n"
            "The link expires on {expires} (UTC); {learner} can withdraw it at any time. You "
            "will only see what {learner} chose to share.\n"
        ),
    },
}


async def queue_companion_mail(
    db: AsyncSession,
    companion: Companion,
    *,
    learner_name: str,
    language: str,
    question: str,
    link: str,
    key: str,
) -> None:
    """`key`: the token's hash, so one link is mailed once."""
    words = _WORDS["fr" if language == "fr" else "en"]
    values = {
        "name": companion.name,
        "learner": learner_name,
        "goal": companion.goal,
        "question": question,
        "link": link,
        "expires": companion.expires_at.strftime("%Y-%m-%d %H:%M"),
    }
    safe = {name: escape(value) for name, value in values.items()}
    safe["link"] = f'<a href="{escape(link)}">{escape(link)}</a>'
    await queue_email(
        db,
        organization_id=companion.organization_id,
        key=f"companion:{key}",
        to=companion.email,
        subject=words["subject"].format(**values),
        text=words["body"].format(**values),
        html=html_paragraphs(words["body"].format(**safe)),
        learner_id=companion.learner_id,
        erase_after_send=True,
    )
