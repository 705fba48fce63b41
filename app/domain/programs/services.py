from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Program, ProgramModule
from app.db.models.enums import Language, Role
from app.domain import access, audit
from app.domain.programs.schemas import ModuleIn, ProgramIn
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page

WithModules = tuple[Program, list[ProgramModule]]


class ProgramService:
    """Programs and their modules: readable by everyone in the organisation, managed by
    admins."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def list(self, page: PageParams) -> tuple[list[WithModules], str | None]:
        statement = select(Program).where(access.in_tenant(Program, self.identity))
        items, cursor = await fetch_page(self.db, statement, Program.id, page)
        return [(p, await modules_of(self.db, p.id)) for p in items], cursor

    async def by_name(self) -> Sequence[Program]:
        """Every program of the organisation, by name, without modules: a form's choices."""
        statement = select(Program).where(access.in_tenant(Program, self.identity))
        return (await self.db.scalars(statement.order_by(Program.name))).all()

    async def get(self, program_id: UUID) -> WithModules:
        program = await self._program(program_id)
        return program, await modules_of(self.db, program.id)

    async def create(self, data: ProgramIn) -> WithModules:
        self.identity.require_role(Role.ADMIN)
        program, modules = await create_program(
            self.db,
            organization_id=self.identity.organization_id,
            name=data.name,
            language=data.language,
            description=data.description,
            modules=data.modules,
        )
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action="program.create",
            target_type="program",
            target_id=program.id,
        )
        await self.db.refresh(program)
        return program, modules

    async def add_module(self, program_id: UUID, data: ModuleIn) -> WithModules:
        """Appended at the end of the program."""
        self.identity.require_role(Role.ADMIN)
        program = await self._program(program_id)
        await add_modules(self.db, program, [data])
        return program, await modules_of(self.db, program.id)

    async def _program(self, program_id: UUID) -> Program:
        return await access.one_in_tenant(
            self.db, Program, program_id, self.identity, what="program", field="program_id"
        )


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
