"""Accounts: one's own (who I am, my name, language, time zone and password), and the link an
admin sends a person to set theirs. Bound to the request's session and identity; the queries
and the rules are here, the controllers only parse and shape."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Organization, User
from app.db.models.enums import Language, Role
from app.domain.auth import links, services
from app.domain.auth.schemas import MeOut
from app.domain.people.schemas import InvitationOut, MePatch, UserOut
from app.domain.people.services import PeopleService
from app.lib.errors import NotFound
from app.lib.identity import Identity
from app.lib.security import Passwords
from app.settings import Settings


class AccountService:
    def __init__(
        self, db: AsyncSession, identity: Identity, passwords: Passwords, settings: Settings
    ) -> None:
        self.db = db
        self.identity = identity
        self.passwords = passwords
        self.settings = settings

    async def own(self) -> User:
        """The caller's own account row (the account page edits it in place)."""
        user = await self.db.get(User, self.identity.user_id)
        if user is None:
            raise NotFound("Your account no longer exists.")
        return user

    async def me(self) -> MeOut:
        user = await self.own()
        org = await self.db.get(Organization, self.identity.organization_id)
        if org is None:
            raise NotFound("Your account no longer exists.")
        return MeOut(
            user=UserOut.of(user),
            organization_slug=org.slug,
            organization_name=org.name,
            via=self.identity.via,
        )

    async def update_me(self, data: MePatch, session_token: str | None) -> MeOut:
        """A new password needs the current one, and ends every other session of mine (the
        one of `session_token` stays)."""
        user = await self.own()
        if data.password is not None:
            await services.check_current_password(self.passwords, user, data.current_password)
            keep = session_token if self.identity.via == "session" else None
            await services.set_own_password(self.db, self.passwords, user, data.password, keep)
        people = PeopleService(self.db, self.identity, self.passwords)
        people.apply_profile(user, data.display_name, data.locale, None, data.time_zone)
        await self.db.flush()
        return await self.me()

    async def save_profile(
        self, *, display_name: str, locale: Language, time_zone: str, item_emails: bool
    ) -> None:
        """The account page's form, its fields checked by the page (which answers in the
        reader's language); `time_zone` "" for the organisation's default. Only learners and
        coaches get the "something new" e-mails, so only theirs may be switched."""
        user = await self.own()
        people = PeopleService(self.db, self.identity, self.passwords)
        people.apply_profile(user, display_name, locale, None, time_zone)
        if user.role in (Role.LEARNER, Role.COACH):
            user.item_emails = item_emails

    async def invite(self, user_id: UUID) -> InvitationOut:
        """A new invitation link for a person of the organisation (admin), e-mailed when an
        SMTP server is set; otherwise the answer says what the operator runs to print it."""
        self.identity.require_role(Role.ADMIN)
        user = await PeopleService(self.db, self.identity, self.passwords).get_user(user_id)
        issued = await links.issue(
            self.db, self.settings, user, "invitation", actor_id=self.identity.user_id
        )
        org = await self.db.get(Organization, self.identity.organization_id)
        detail = (
            f"Invitation e-mailed to {user.email}."
            if issued.mailed
            else (
                "No e-mail server is configured (INTERLUDE_SMTP_HOST), so nothing was sent. "
                f"On the server, run: interlude user invite --org {org.slug if org else '<slug>'} "
                f"--email {user.email}"
            )
        )
        return InvitationOut(
            user_id=user.id, expires_at=issued.expires_at, mailed=issued.mailed, detail=detail
        )
