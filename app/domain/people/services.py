"""People of an organisation and who coaches whom."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Enrollment, Organization, Program, User
from app.db.models.enums import Language, Role
from app.domain import access, audit
from app.domain.people.schemas import EnrollmentCreate, EnrollmentPatch, UserCreate, UserPatch
from app.lib.errors import Conflict, Forbidden, InvalidInput
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.schema import EMAIL_MAX_LENGTH, INVISIBLE
from app.lib.security import Passwords
from app.lib.time_zones import check_time_zone


def normalise_email(email: str) -> str:
    """The address as stored and looked up: NFKC (full-width and compatibility forms folded),
    lower case. An address with invisible characters, or with a part (before the @, or a
    label of the domain) whose letters mix scripts (a Cyrillic "a", U+0430, among Latin
    letters), is refused: it would pass for someone else's."""
    normalised = unicodedata.normalize("NFKC", email).strip().lower()
    if _INVISIBLE.search(normalised):
        raise InvalidInput(
            "The email address contains invisible characters (zero-width spaces, direction "
            "marks): type it again.",
            field="email",
        )
    if any(len(_scripts(part)) > 1 for part in re.split(r"[@.]", normalised)):
        raise InvalidInput(
            "The email address mixes alphabets (for example a Cyrillic letter among Latin "
            "ones), so it could pass for another address: type it again.",
            field="email",
        )
    if len(normalised) > EMAIL_MAX_LENGTH:  # some letters grow when lower-cased (İ -> i̇)
        raise InvalidInput(
            f"The email address is too long in lower case ({len(normalised)} characters; "
            f"at most {EMAIL_MAX_LENGTH}). Use a shorter address.",
            field="email",
        )
    return normalised


_INVISIBLE = re.compile(f"[{INVISIBLE}\x00-\x1f\x7f]")


def _scripts(text: str) -> set[str]:
    """The scripts of the letters (LATIN, CYRILLIC, GREEK...), from their Unicode names."""
    return {unicodedata.name(c, "UNKNOWN").split()[0] for c in text if c.isalpha()}


async def add_user(
    db: AsyncSession,
    passwords: Passwords,
    *,
    organization_id: UUID,
    email: str,
    display_name: str,
    role: Role,
    locale: Language,
    password: str | None,
) -> User:
    email = normalise_email(email)
    taken = await db.scalar(
        select(User.id).where(User.organization_id == organization_id, User.email == email)
    )
    if taken is not None:
        raise Conflict("Someone in this organisation already has this email.", field="email")
    user = User(
        organization_id=organization_id,
        email=email,
        display_name=display_name.strip(),
        role=role,
        locale=locale,
        password_hash=passwords.hash(password) if password else None,
    )
    db.add(user)
    await db.flush()
    return user


class PeopleService:
    def __init__(self, db: AsyncSession, identity: Identity, passwords: Passwords) -> None:
        self.db = db
        self.identity = identity
        self.passwords = passwords

    async def list_users(
        self, page: PageParams, role: Role | None
    ) -> tuple[Sequence[User], str | None]:
        statement = select(User).where(access.visible_users(self.identity))
        if role is not None:
            statement = statement.where(User.role == role)
        return await fetch_page(self.db, statement, User.id, page)

    async def directory(self, limit: int) -> Sequence[User]:
        """The first `limit` people one may see, by name: a page's list (the API pages by id)."""
        statement = select(User).where(access.visible_users(self.identity))
        return (
            await self.db.scalars(statement.order_by(User.display_name, User.id).limit(limit))
        ).all()

    async def get_user(self, user_id: UUID, field: str = "user_id") -> User:
        return await access.one_visible(
            self.db, User, user_id, access.visible_users(self.identity), what="user", field=field
        )

    async def create_user(self, data: UserCreate) -> User:
        """A person of the organisation, in its default language unless told (admin)."""
        self.identity.require_role(Role.ADMIN)
        if data.password is not None:
            raise Forbidden(
                "Admins do not choose a person's password (it would let them log in as that "
                "person). Create the account without one, then send the invitation: POST "
                "/api/v1/users/{id}/invitation.",
                field="password",
            )
        user = await add_user(
            self.db,
            self.passwords,
            organization_id=self.identity.organization_id,
            email=data.email,
            display_name=data.display_name,
            role=data.role,
            locale=data.locale or await self._default_locale(),
            password=None,
        )
        self._audit("user.create", user.id, role=user.role.value)
        return user

    async def update_user(self, user_id: UUID, data: UserPatch) -> User:
        self.identity.require_role(Role.ADMIN)
        if data.password is not None:
            # Whoever knows a person's password can log in as them and read what they wrote:
            # an admin never sets one. One's own goes through PATCH /api/v1/me.
            raise Forbidden(
                "Admins cannot set a person's password (it would let them log in as that "
                "person). Change your own with PATCH /api/v1/me.",
                field="password",
            )
        user = await self.get_user(user_id)
        if user.id == self.identity.user_id and (
            (data.role is not None and data.role is not Role.ADMIN) or data.is_active is False
        ):
            raise InvalidInput("You cannot remove your own admin access; ask another admin.")
        self.apply_profile(user, data.display_name, data.locale, data.password)
        if data.role is not None:
            user.role = data.role
        if data.is_active is not None:
            user.is_active = data.is_active
        self._audit("user.update", user.id)
        await self.db.flush()
        return user

    def apply_profile(
        self,
        user: User,
        display_name: str | None,
        locale: Language | None,
        password: str | None,
        time_zone: str | None = None,
    ) -> None:
        """`time_zone`: None keeps it; "" goes back to the organisation's default."""
        if time_zone is not None:
            user.time_zone = check_time_zone(time_zone.strip()) if time_zone.strip() else None
        if display_name is not None:
            user.display_name = display_name.strip()
        if locale is not None:
            user.locale = locale
        if password is not None:
            user.password_hash = self.passwords.hash(password)

    async def list_enrollments(
        self, page: PageParams, *, newest_first: bool = False
    ) -> tuple[Sequence[Enrollment], str | None]:
        statement = select(Enrollment).where(access.visible_enrollments(self.identity))
        return await fetch_page(self.db, statement, Enrollment.id, page, newest_first=newest_first)

    async def get_enrollment(self, enrollment_id: UUID) -> Enrollment:
        return await access.one_visible(
            self.db,
            Enrollment,
            enrollment_id,
            access.visible_enrollments(self.identity),
            what="enrollment",
            field="enrollment_id",
        )

    async def _member(self, user_id: UUID, role: Role, field: str) -> User:
        user = await self.get_user(user_id, field)
        if user.role is not role:
            raise InvalidInput(
                f"{field} must be a {role.value}; this user is a {user.role.value}.", field=field
            )
        return user

    async def create_enrollment(self, data: EnrollmentCreate) -> Enrollment:
        self.identity.require_role(Role.ADMIN)
        await self._member(data.learner_id, Role.LEARNER, "learner_id")
        await self._member(data.coach_id, Role.COACH, "coach_id")
        await access.one_in_tenant(
            self.db, Program, data.program_id, self.identity, what="program", field="program_id"
        )
        duplicate = await self.db.scalar(
            select(Enrollment.id).where(
                Enrollment.learner_id == data.learner_id, Enrollment.program_id == data.program_id
            )
        )
        if duplicate is not None:
            raise Conflict("This learner is already enrolled in this program.", field="program_id")
        enrollment = Enrollment(
            organization_id=self.identity.organization_id,
            learner_id=data.learner_id,
            coach_id=data.coach_id,
            program_id=data.program_id,
            goal=data.goal.strip(),
        )
        self.db.add(enrollment)
        await self.db.flush()
        self._audit("enrollment.create", enrollment.id)
        return enrollment

    async def update_enrollment(self, enrollment_id: UUID, data: EnrollmentPatch) -> Enrollment:
        """Admins change anything; a coach may only restate the goal of their own learners."""
        self.identity.require_role(Role.ADMIN, Role.COACH)
        enrollment = await self.get_enrollment(enrollment_id)
        if self.identity.is_coach and (data.coach_id is not None or data.is_active is not None):
            raise InvalidInput("A coach can change the goal only; ask an admin for the rest.")
        if data.coach_id is not None:
            await self._member(data.coach_id, Role.COACH, "coach_id")
            enrollment.coach_id = data.coach_id
        if data.goal is not None:
            enrollment.goal = data.goal.strip()
        if data.is_active is not None:
            enrollment.is_active = data.is_active
        self._audit("enrollment.update", enrollment.id)
        await self.db.flush()
        return enrollment

    async def _default_locale(self) -> Language:
        org = await self.db.get(Organization, self.identity.organization_id)
        return org.default_language if org else Language.FR

    def _audit(self, action: str, target_id: UUID, **data: str) -> None:
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action=action,
            target_type=action.split(".", maxsplit=1)[0],
            target_id=target_id,
            **data,
        )
