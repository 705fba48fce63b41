from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from app.db.models import Program, ProgramModule
from app.db.models.enums import Language
from app.lib.schema import LongText, Name, ShortText, Skill

Prompts = Annotated[list[ShortText], msgspec.Meta(max_length=30)]


class ModuleIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Name
    skill: Skill
    reflection_prompts: Prompts = msgspec.field(default_factory=list)


class ModuleOut(msgspec.Struct):
    id: UUID
    position: int
    title: str
    skill: str
    reflection_prompts: list[str]

    @classmethod
    def of(cls, m: ProgramModule) -> ModuleOut:
        return cls(
            id=m.id,
            position=m.position,
            title=m.title,
            skill=m.skill,
            reflection_prompts=m.reflection_prompts,
        )


class ProgramIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    language: Language
    description: LongText = ""
    modules: Annotated[list[ModuleIn], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


class ProgramOut(msgspec.Struct):
    id: UUID
    name: str
    description: str
    language: Language
    modules: list[ModuleOut]
    created_at: datetime

    @classmethod
    def of(cls, p: Program, modules: list[ProgramModule]) -> ProgramOut:
        ordered = sorted(modules, key=lambda m: m.position)
        return cls(
            id=p.id,
            name=p.name,
            description=p.description,
            language=p.language,
            modules=[ModuleOut.of(m) for m in ordered],
            created_at=p.created_at,
        )
