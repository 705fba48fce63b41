"""`insert_new` (app/db/rows.py): the object holds exactly what the row holds, defaults too,
and the INSERT belongs to the session's transaction."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.db.engine import create_engine
from app.db.rows import insert_new


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(sa.String(20), default="blank")
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    at: Mapped[datetime] = mapped_column(default=lambda: datetime(2026, 1, 2, tzinfo=UTC))
    extra: Mapped[str | None] = mapped_column("extra_column", default=None)


def test_defaults_are_set_on_the_object_and_rolled_back_with_the_session(tmp_path: Path) -> None:
    async def run() -> tuple[Note, Sequence[Any]]:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'rows.db'}")
        try:
            async with engine.begin() as connection:
                await connection.run_sync(_Base.metadata.create_all)
            sessions = async_sessionmaker(engine)
            note = Note(id=1, extra="x")
            async with sessions() as db, db.begin():
                await insert_new(db, note)
            with contextlib.suppress(RuntimeError):
                async with sessions() as db, db.begin():
                    await insert_new(db, Note(id=2))
                    raise RuntimeError("the second note goes with its transaction")
            async with engine.connect() as connection:
                rows = (await connection.execute(sa.text("SELECT * FROM note"))).all()
            return note, rows
        finally:
            await engine.dispose()

    note, rows = asyncio.run(run())
    assert (note.body, note.tags, note.at.year, note.extra) == ("blank", [], 2026, "x")
    assert [(r.id, r.body, r.tags, r.extra_column) for r in rows] == [(1, "blank", "[]", "x")]
