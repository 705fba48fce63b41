"""Keyset pagination over UUIDv7 ids: time-ordered, unique, so the order is stable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar
from uuid import UUID

from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.lib.errors import InvalidInput

M = TypeVar("M")

MAX_LIMIT = 200


class PageParams:
    """Query parameters `limit` and `cursor` shared by every list endpoint."""

    def __init__(self, limit: int, cursor: str | None) -> None:
        self.limit = limit
        self.cursor = _parse_cursor(cursor)


def _parse_cursor(cursor: str | None) -> UUID | None:
    if cursor is None or cursor == "":
        return None
    try:
        return UUID(cursor)
    except ValueError:
        raise InvalidInput(
            "cursor is not valid: pass the next_cursor of the previous page.", field="cursor"
        ) from None


def provide_page_params(
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, QueryParameter(name="cursor", max_length=64)] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


async def fetch_page(
    session: AsyncSession,
    statement: Select[tuple[M]],
    id_column: Any,
    page: NamedDependency[PageParams],
    *,
    newest_first: bool = False,
) -> tuple[Sequence[M], str | None]:
    if page.cursor is not None:
        statement = statement.where(
            id_column < page.cursor if newest_first else id_column > page.cursor
        )
    order = id_column.desc() if newest_first else id_column.asc()
    rows = (await session.scalars(statement.order_by(order).limit(page.limit + 1))).all()
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        return rows, str(getattr(rows[-1], "id"))  # noqa: B009 (generic over models)
    return rows, None
