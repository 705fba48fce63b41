"""Seeding shared by the benches, through the services: an organisation with a sample pack
document indexed, a person with a read-write API key."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import ApiKey, Organization, User
from app.db.models.enums import Language, Role
from app.domain.knowledge import pipeline
from app.domain.organizations.services import create_organization
from app.domain.people.services import add_user
from app.lib.security import Passwords, new_api_key
from app.settings import Settings
from knowledge.packs import PACKS_DIR
from knowledge.store import KnowledgeStore

# One short document of the French pack: what a chat turn or a plan retrieves from.
PACK_DOCUMENT = PACKS_DIR / "horizon-fr" / "culture.md"


async def organization_with_pack(
    db: AsyncSession, knowledge: KnowledgeStore, settings: Settings, *, slug: str, name: str
) -> Organization:
    """A French organisation with PACK_DOCUMENT indexed (RuntimeError if indexing fails)."""
    org = await create_organization(db, slug=slug, name=name, default_language=Language.FR)
    result = await pipeline.ingest(
        db,
        knowledge,
        settings.uploads_dir,
        organization_id=org.id,
        name=PACK_DOCUMENT.name,
        data=PACK_DOCUMENT.read_bytes(),
        declared=pipeline.Declared(),
        max_bytes=settings.max_upload_bytes,
    )
    if result.outcome == "failed":
        raise RuntimeError(f"Indexing {PACK_DOCUMENT.name} failed: {result.document.error}")
    return org


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
