from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Program, ProgramModule
from app.db.models.enums import Language
from app.domain.programs.schemas import ModuleIn


async def create_program(
    db: AsyncSession,
    *,
    organization_id: UUID,
    name: str,
    language: Language,
    description: str,
    modules: Sequence[ModuleIn],
) -> tuple[Program, list[ProgramModule]]:
    program = Program(
        organization_id=organization_id,
        name=name.strip(),
        language=language,
        description=description.strip(),
    )
    db.add(program)
    await db.flush()
    created = await add_modules(db, program, modules)
    return program, created


async def add_modules(
    db: AsyncSession, program: Program, modules: Sequence[ModuleIn]
) -> list[ProgramModule]:
    last = await db.scalar(
        select(func.max(ProgramModule.position)).where(ProgramModule.program_id == program.id)
    )
    start = 0 if last is None else last + 1
    created = [
        ProgramModule(
            organization_id=program.organization_id,
            program_id=program.id,
            position=start + offset,
            title=module.title.strip(),
            skill=module.skill.strip(),
            reflection_prompts=[p.strip() for p in module.reflection_prompts if p.strip()],
        )
        for offset, module in enumerate(modules)
    ]
    db.add_all(created)
    await db.flush()
    return created


async def modules_of(db: AsyncSession, program_id: UUID) -> list[ProgramModule]:
    rows = await db.scalars(
        select(ProgramModule)
        .where(ProgramModule.program_id == program_id)
        .order_by(ProgramModule.position)
    )
    return list(rows.all())
