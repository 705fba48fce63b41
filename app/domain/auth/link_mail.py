"""The e-mails that carry a password link, in the person's language.

They go through the outbox like alerts, marked to be blanked once sent: the database keeps
the token's hash (account_token), never a usable link.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import User
from app.domain.notifications.outbox import html_paragraphs, queue_email

_WORDS = {
    "fr": {
        "invitation.subject": "Votre accès à Interlude ({org})",
        "invitation.body": (
            "Bonjour {name},\n\n"
            "{org} vous a ouvert un compte Interlude, le compagnon de votre parcours de "
            "coaching. Choisissez votre mot de passe avec ce lien :\n\n{link}\n\n"
            "Le lien sert une fois et expire le {expires} (UTC). Vous vous connecterez ensuite "
            "avec l'organisation « {slug} » et cette adresse.\n"
        ),
        "reset.subject": "Nouveau mot de passe Interlude",
        "reset.body": (
            "Bonjour {name},\n\n"
            "Quelqu'un (vous, sans doute) a demandé à changer le mot de passe de votre compte "
            "Interlude ({org}). Choisissez-en un nouveau avec ce lien :\n\n{link}\n\n"
            "Le lien sert une fois et expire le {expires} (UTC). Si vous n'avez rien demandé, "
            "ignorez ce message : votre mot de passe actuel reste valable.\n"
        ),
    },
    "en": {
        "invitation.subject": "Your Interlude access ({org})",
        "invitation.body": (
            "Hello {name},\n\n"
            "{org} opened an Interlude account for you, the companion of your coaching "
            "programme. Choose your password with this link:\n\n{link}\n\n"
            "The link works once and expires on {expires} (UTC). You will then log in with the "
            'organisation "{slug}" and this address.\n'
        ),
        "reset.subject": "New Interlude password",
        "reset.body": (
            "Hello {name},\n\n"
            "Someone (you, probably) asked to change the password of your Interlude account "
            "({org}). Choose a new one with this link:\n\n{link}\n\n"
            "The link works once and expires on {expires} (UTC). If you did not ask, ignore "
            "this message: your current password still works.\n"
        ),
    },
}


async def queue_link_mail(
    db: AsyncSession,
    user: User,
    purpose: Literal["invitation", "reset"],
    link: str,
    expires_at: datetime,
    organization_name: str,
    *,
    key: str,
    organization_slug: str = "",
) -> None:
    """`key`: unique per link (the token's hash), so a link is mailed once."""
    language = "fr" if user.locale.value.startswith("fr") else "en"
    words = _WORDS[language]
    values = {
        "name": user.display_name,
        "org": organization_name or "Interlude",
        "slug": organization_slug,
        "link": link,
        "expires": expires_at.strftime("%Y-%m-%d %H:%M"),
    }
    body = words[f"{purpose}.body"].format(**values)
    safe = {name: escape(value) for name, value in values.items()}
    safe["link"] = f'<a href="{escape(link)}">{escape(link)}</a>'
    html = html_paragraphs(words[f"{purpose}.body"].format(**safe))
    await queue_email(
        db,
        organization_id=user.organization_id,
        key=f"{purpose}:{key}",
        to=user.email,
        subject=words[f"{purpose}.subject"].format(**values),
        text=body,
        html=html,
        learner_id=user.id,
        erase_after_send=True,
    )
