from __future__ import annotations

from typing import Annotated

import msgspec

from app.domain.people.schemas import UserOut
from app.lib.schema import Email, NewPassword, Password, Slug


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    organization: Slug
    email: Email
    password: Password


class MeOut(msgspec.Struct):
    user: UserOut
    organization_slug: str
    organization_name: str
    via: str


class LoginOut(msgspec.Struct):
    me: MeOut
    csrf_token: str  # send back as X-CSRF-Token on requests that change data


class ResetRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    organization: Slug
    email: Email


class ResetRequestOut(msgspec.Struct):
    detail: str


class SetPasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    password: NewPassword
