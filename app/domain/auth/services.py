"""Resolving identities: password login, web sessions and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import anyio.to_thread
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import ApiKey, LoginSession, Organization, User
from app.db.models.enums import ApiScope
from app.domain import audit
from app.domain.people.services import normalise_email
from app.lib.clock import utcnow
from app.lib.errors import Forbidden, InvalidInput, Unauthenticated
from app.lib.identity import Identity
from app.lib.security import Passwords, api_key_prefix, constant_time_equals, new_token, sha256_hex
from app.lib.throttle import AccountThrottle
from app.settings import Settings

ALL_SCOPES = frozenset(ApiScope)
# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
BAD_CREDENTIALS = "Email, password or organisation is wrong."


@dataclass(frozen=True, slots=True)
class StartedSession:
    token: str  # goes in the cookie, never stored
    csrf_token: str
    identity: Identity


def lookup_email(email: str) -> str:
    """The stored form of an address (people.services.normalise_email), or one that matches
    nobody when it could not be stored: login answers the same 401 either way."""
    try:
        return normalise_email(email)
    except InvalidInput:
        return ""


async def login(
    db: AsyncSession,
    passwords: Passwords,
    *,
    organization_slug: str,
    email: str,
    password: str,
    ttl: timedelta,
    throttle: AccountThrottle,
) -> StartedSession:
    """A session for a right password; 401 otherwise (counted against the account), 429 when
    the account had too many failures lately (no hash computed then)."""
    lookup = lookup_email(email)
    await throttle.check(organization_slug, lookup)
    try:
        started = await _login(db, passwords, organization_slug, lookup, password, ttl, throttle)
    except Unauthenticated:
        await throttle.failed(organization_slug, lookup)
        raise
    await throttle.succeeded(organization_slug, lookup)
    return started


async def _login(
    db: AsyncSession,
    passwords: Passwords,
    organization_slug: str,
    email: str,
    password: str,
    ttl: timedelta,
    throttle: AccountThrottle,
) -> StartedSession:
    user = await account_by_email(db, organization_slug, email)
    # Verify even when the user is unknown, so response time does not reveal who exists.
    valid = await throttle.hash_check(
        passwords.verify, user.password_hash if user else None, password
    )
    if user is None or not valid or not user.is_active:
        raise Unauthenticated(BAD_CREDENTIALS)
    now = utcnow()
    # Expired sessions of this user go at the next login, so the table does not grow forever.
    await db.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at < now)
    )
    token, csrf = new_token(), new_token()
    db.add(
        LoginSession(
            organization_id=user.organization_id,
            user_id=user.id,
            token_hash=sha256_hex(token),
            csrf_token=csrf,
            expires_at=now + ttl,
        )
    )
    audit.record(
        db,
        organization_id=user.organization_id,
        actor_id=user.id,
        action="auth.login",
        target_type="user",
        target_id=user.id,
    )
    identity = Identity(
        organization_id=user.organization_id,
        user_id=user.id,
        role=user.role,
        via="session",
        scopes=ALL_SCOPES,
    )
    return StartedSession(token=token, csrf_token=csrf, identity=identity)


def reset_answer(settings: Settings) -> str:
    """What "forgot your password" answers, whoever asks: nobody learns who has an account."""
    if settings.sends_mail:
        return (
            "If this address has an account in this organisation, a link to set a new password "
            "is on its way. It works once and expires within the hour."
        )
    return (
        "This installation sends no e-mail, so no link can be sent: ask your admin, who can "
        "have one made for you."
    )


async def account_by_email(db: AsyncSession, organization_slug: str, email: str) -> User | None:
    """The account with this (stored-form) address in this organisation, if any."""
    found: User | None = await db.scalar(
        select(User)
        .join(Organization, Organization.id == User.organization_id)
        .where(Organization.slug == organization_slug, User.email == email)
    )
    return found


async def set_own_password(
    db: AsyncSession, passwords: Passwords, user: User, new_password: str, keep_token: str | None
) -> None:
    """One's own new password (after `check_current_password`), through the API or the account
    page: every other session ends (`keep_token`: the session that made the change)."""
    user.password_hash = passwords.hash(new_password)
    await end_other_sessions(db, user, keep_token)


async def check_current_password(
    passwords: Passwords, user: User, current_password: str | None
) -> None:
    """Changing one's password needs the current one (403 naming `current_password`)."""
    if current_password is None:
        raise InvalidInput(
            "Type your current password too (current_password) to choose a new one.",
            field="current_password",
        )
    # Argon2id takes tens of milliseconds: off the event loop.
    if not await anyio.to_thread.run_sync(passwords.verify, user.password_hash, current_password):
        raise Forbidden("Your current password is not right.", field="current_password")


async def end_other_sessions(db: AsyncSession, user: User, keep_token: str | None) -> int:
    """After a password change: every session of this person ends, except the one that made
    the change (none when it came with an API key). API keys stay: they are revoked by hand."""
    statement = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_token:
        statement = statement.where(LoginSession.token_hash != sha256_hex(keep_token))
    result = await db.execute(statement)
    audit.record(
        db,
        organization_id=user.organization_id,
        actor_id=user.id,
        action="auth.password_change",
        target_type="user",
        target_id=user.id,
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def logout(db: AsyncSession, token: str) -> None:
    await db.execute(delete(LoginSession).where(LoginSession.token_hash == sha256_hex(token)))


async def identity_from_session(db: AsyncSession, token: str) -> tuple[Identity, str]:
    """The identity behind a session cookie, and the session's CSRF token."""
    row = (
        await db.execute(
            select(LoginSession, User)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == sha256_hex(token))
        )
    ).first()
    if row is None:
        raise Unauthenticated("Your session has ended. Log in again.")
    login_session, user = row
    if login_session.expires_at <= utcnow() or not user.is_active:
        # Not deleted here: the 401 rolls the request back; login purges expired sessions.
        raise Unauthenticated("Your session has expired. Log in again.")
    identity = Identity(
        organization_id=user.organization_id,
        user_id=user.id,
        role=user.role,
        via="session",
        scopes=ALL_SCOPES,
    )
    return identity, login_session.csrf_token


async def identity_from_api_key(db: AsyncSession, secret: str) -> Identity:
    prefix = api_key_prefix(secret)
    invalid = Unauthenticated(
        "This API key is not valid. Check it, or ask your admin for a new one."
    )
    if prefix is None:
        raise invalid
    row = (
        await db.execute(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.prefix == prefix)
        )
    ).first()
    if row is None or not constant_time_equals(row[0].secret_hash, sha256_hex(secret)):
        raise invalid
    key, user = row
    if key.revoked_at is not None:
        raise Unauthenticated("This API key was revoked. Ask your admin for a new one.")
    if not user.is_active:
        raise invalid
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    scopes = frozenset(ApiScope(s) for s in key.scopes if s in ALL_SCOPES)
    return Identity(
        organization_id=user.organization_id,
        user_id=user.id,
        role=user.role,
        via="api_key",
        scopes=scopes,
    )
