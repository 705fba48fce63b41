"""Wire types shared by the API: bounded, NUL-free text, and paginated lists."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec

# Text may not contain NUL (PostgreSQL refuses it, and it is never legitimate in prose).
NO_NUL = r"^[^\x00]*$"
# At least one visible character, and no NUL anywhere (`\S` alone would accept NUL).
NON_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"

T = TypeVar("T")


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NON_BLANK)]
ShortText = Annotated[str, msgspec.Meta(max_length=2_000, pattern=NO_NUL)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000, pattern=NO_NUL)]
RequiredText = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000, pattern=NON_BLANK)]
Skill = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NON_BLANK)]
Email = Annotated[
    str, msgspec.Meta(min_length=3, max_length=320, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")
]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1_000, pattern=NO_NUL)]
NewPassword = Annotated[str, msgspec.Meta(min_length=10, max_length=1_000, pattern=NO_NUL)]
Slug = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
SkillList = Annotated[list[Skill], msgspec.Meta(max_length=20)]
ActionList = Annotated[list[ShortText], msgspec.Meta(max_length=20)]


class Page(msgspec.Struct, Generic[T]):
    """A page of a list in a stable order; pass `next_cursor` as `cursor` for the next one."""

    items: list[T]
    next_cursor: str | None = None
