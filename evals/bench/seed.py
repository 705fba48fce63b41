"""Seeding shared by the benches: a person with a read-write API key, through the services."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import ApiKey, User
from app.db.models.enums import Language, Role
from app.domain.people.services import add_user
from app.lib.security import Passwords, new_api_key


async def person_with_key(
    db: AsyncSession,
    passwords: Passwords,
    organization_id: UUID,
    *,
    email: str,
    name: str,
    role: Role,
) -> tuple[User, str]:
    """The person and the secret of their key (`Authorization: Bearer <secret>`)."""
    user = await add_user(
        db,
        passwords,
        organization_id=organization_id,
        email=email,
        display_name=name,
        role=role,
        locale=Language.FR,
        password=None,
    )
    key = new_api_key()
    db.add(
        ApiKey(
            organization_id=organization_id,
            user_id=user.id,
            name="bench",
            prefix=key.prefix,
            secret_hash=key.secret_hash,
            scopes=["read", "write"],
        )
    )
    return user, key.secret
