from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, enum_column
from app.db.models.enums import Language


class Organization(Base):
    __tablename__ = "organization"

    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    default_language: Mapped[Language] = enum_column(Language, default=Language.FR)
    # Organisation policy: escalation resources, allowed languages, minimum group size for
    # aggregates. Validated by `app.domain.organizations.schemas.Policy` before it is stored.
    policy: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
