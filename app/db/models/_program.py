from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin, enum_column
from app.db.models.enums import Language


class Program(TenantMixin, Base):
    __tablename__ = "program"

    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[Language] = enum_column(Language, default=Language.FR)


class ProgramModule(TenantMixin, Base):
    """One module of a program, teaching one skill, with prompts for reflections."""

    __tablename__ = "program_module"

    program_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("program.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    skill: Mapped[str] = mapped_column(sa.String(100))
    reflection_prompts: Mapped[list[str]] = mapped_column(JsonB, default=list)
