"""Password links: invitations and resets, the only ways a password is set for someone.

An admin never types another person's password (they could log in as that person and read what
they wrote). Instead a single-use link goes to the person's own address: an *invitation* when
the account has no password yet, a *reset* when they forgot it. Only a SHA-256 of the link's
token is stored; it expires (an invitation after days, a reset after an hour), works once, and
setting the password through it ends every session the person had.

When no SMTP server is configured, the link is not sent anywhere: the operator prints it with
`interlude user invite|reset-link` (someone with access to the server, not an admin in the app).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AccountToken, LoginSession, Organization, User
from app.domain import audit
from app.domain.auth.link_mail import queue_link_mail
from app.domain.auth.services import account_by_email
from app.lib.clock import utcnow
from app.lib.errors import Conflict, InvalidInput
from app.lib.security import Passwords, new_token, sha256_hex
from app.settings import Settings

Purpose = Literal["invitation", "reset"]
# One reset mail per account per this long, whatever the requests: nobody can mail-bomb a
# person through the "forgot password" form.
RESET_COOLDOWN = timedelta(minutes=2)
LINK_PATH = "/password/new"
BAD_LINK = (
    "This link is not valid: it has expired, was already used, or was replaced by a newer one. "
    'Ask for a new one on the login page ("Forgot your password?") or from your admin.'
)


@dataclass(frozen=True, slots=True)
class IssuedLink:
    url: str  # holds the token: e-mailed or printed, never logged, never stored
    expires_at: datetime
    mailed: bool  # queued for the configured SMTP server


def link_url(settings: Settings, token: str) -> str:
    # In the fragment: a browser never sends it to a server, so no access log or Referer holds it.
    return f"{settings.public_url.rstrip('/')}{LINK_PATH}#token={token}"


def _ttl(settings: Settings, purpose: Purpose) -> timedelta:
    if purpose == "invitation":
        return timedelta(hours=settings.invitation_ttl_hours)
    return timedelta(minutes=settings.password_reset_ttl_minutes)


async def issue(
    db: AsyncSession,
    settings: Settings,
    user: User,
    purpose: Purpose,
    *,
    actor_id: UUID | None,
) -> IssuedLink:
    """A new link for `user`, replacing their earlier unused ones; mailed when SMTP is set."""
    if purpose == "invitation" and user.password_hash is not None:
        raise Conflict(
            "This person has already set a password. If they forgot it, they can use "
            '"Forgot your password?" on the login page.',
            field="user_id",
        )
    if not user.is_active:
        raise Conflict("This account is deactivated: reactivate it first.", field="user_id")
    await db.execute(
        delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
    )
    token = new_token()
    now = utcnow()
    expires_at = now + _ttl(settings, purpose)
    db.add(
        AccountToken(
            organization_id=user.organization_id,
            user_id=user.id,
            purpose=purpose,
            token_hash=sha256_hex(token),
            expires_at=expires_at,
        )
    )
    url = link_url(settings, token)
    if settings.sends_mail:
        org = await db.get(Organization, user.organization_id)
        await queue_link_mail(
            db,
            user,
            purpose,
            url,
            expires_at,
            org.name if org else "",
            key=sha256_hex(token),
            organization_slug=org.slug if org else "",
        )
    audit.record(
        db,
        organization_id=user.organization_id,
        actor_id=actor_id,
        action=f"auth.{purpose}_issued",
        target_type="user",
        target_id=user.id,
    )
    return IssuedLink(url=url, expires_at=expires_at, mailed=settings.sends_mail)


async def reset_requested(
    db: AsyncSession, settings: Settings, organization_slug: str, email: str
) -> None:
    """ "Forgot your password?": a reset link to the address if it is an active account of
    this organisation. The caller answers the same whatever happens here, so nobody learns
    which addresses have accounts; without SMTP nothing is sent (the page says so)."""
    user = await account_by_email(db, organization_slug, email)
    if user is None or not user.is_active or not settings.sends_mail:
        return
    recent = await db.scalar(
        select(AccountToken.id).where(
            AccountToken.user_id == user.id,
            AccountToken.used_at.is_(None),
            AccountToken.created_at > utcnow() - RESET_COOLDOWN,
        )
    )
    if recent is not None:
        return
    purpose: Purpose = "reset" if user.password_hash is not None else "invitation"
    await issue(db, settings, user, purpose, actor_id=None)


async def set_password(db: AsyncSession, passwords: Passwords, token: str, password: str) -> User:
    """Redeem a link: the password is set, the link and the person's other links die, and
    every session they had ends (one opened by whoever stole the old password included)."""
    now = utcnow()
    link = await db.scalar(select(AccountToken).where(AccountToken.token_hash == sha256_hex(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise InvalidInput(BAD_LINK, field="token")
    user = await db.get(User, link.user_id)
    if user is None or not user.is_active:
        raise InvalidInput(BAD_LINK, field="token")
    user.password_hash = passwords.hash(password)
    link.used_at = now
    await db.execute(
        delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.id != link.id)
    )
    await db.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    audit.record(
        db,
        organization_id=user.organization_id,
        actor_id=user.id,
        action="auth.invitation_accepted"
        if link.purpose == "invitation"
        else "auth.password_reset",
        target_type="user",
        target_id=user.id,
    )
    await db.flush()
    return user
