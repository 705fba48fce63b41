from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from app.db.models import Enrollment, User
from app.db.models.enums import Language, Role
from app.lib.schema import Email, LongText, Name, NewPassword, Password

TimeZoneName = Annotated[str, msgspec.Meta(max_length=64)]


class UserOut(msgspec.Struct):
    id: UUID
    email: str
    display_name: str
    role: Role
    locale: Language
    is_active: bool
    created_at: datetime
    # False until the person sets a password through their invitation link.
    has_password: bool = False
    # Their own IANA time zone; None: the installation's default.
    time_zone: str | None = None

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(
            id=u.id,
            email=u.email,
            display_name=u.display_name,
            role=u.role,
            locale=u.locale,
            is_active=u.is_active,
            created_at=u.created_at,
            has_password=u.password_hash is not None,
            time_zone=u.time_zone,
        )


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    display_name: Name
    role: Role
    locale: Language | None = None
    # Refused (403): the person sets their own through an invitation (POST
    # /api/v1/users/{id}/invitation). Kept so the refusal names the field.
    password: NewPassword | None = None


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    display_name: Name | None = None
    locale: Language | None = None
    role: Role | None = None
    is_active: bool | None = None
    # Refused (403): nobody sets another person's password. Kept in the schema so the refusal
    # names the field instead of an "unknown field" error.
    password: NewPassword | None = None


class MePatch(msgspec.Struct, forbid_unknown_fields=True):
    display_name: Name | None = None
    locale: Language | None = None
    # An IANA name (America/New_York); "" goes back to the organisation's default.
    time_zone: TimeZoneName | None = None
    password: NewPassword | None = None
    # Required with `password`: a session left open on a shared computer must not be enough to
    # take the account over.
    current_password: Password | None = None


class InvitationOut(msgspec.Struct):
    user_id: UUID
    expires_at: datetime
    mailed: bool  # False: no SMTP server is configured; `detail` says what to do
    detail: str


class EnrollmentOut(msgspec.Struct):
    id: UUID
    learner_id: UUID
    coach_id: UUID
    program_id: UUID
    goal: str
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, e: Enrollment) -> EnrollmentOut:
        return cls(
            id=e.id,
            learner_id=e.learner_id,
            coach_id=e.coach_id,
            program_id=e.program_id,
            goal=e.goal,
            is_active=e.is_active,
            created_at=e.created_at,
        )


class EnrollmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    learner_id: UUID
    coach_id: UUID
    program_id: UUID
    goal: LongText = ""


class EnrollmentPatch(msgspec.Struct, forbid_unknown_fields=True):
    goal: LongText | None = None
    coach_id: UUID | None = None
    is_active: bool | None = None
