"""Wire types shared by the API: bounded, NUL-free text, date-times, and paginated lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

import msgspec

# Text may not contain NUL (PostgreSQL refuses it, and it is never legitimate in prose).
NO_NUL = r"^[^\x00]*$"
# Characters that show nothing: zero-width spaces and joiners, direction marks, word joiners,
# the BOM, the soft hyphen. A text made only of them (and spaces) is blank to a reader.
INVISIBLE = r"\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff"
# At least one visible character, and no NUL anywhere (`\S` alone would accept NUL, and
# zero-width spaces).
NON_BLANK = rf"^[^\x00]*[^\x00\s{INVISIBLE}][^\x00]*$"
# Visible text without an address: a kind of person ("a peer from the Monday meeting").
NO_ADDRESS = rf"^[^\x00@]*[^\x00@\s{INVISIBLE}][^\x00@]*$"
# What a person should read instead of a pattern they would have to decode.
PATTERN_MEANINGS = {
    NO_NUL: "must not contain NUL characters",
    NON_BLANK: "must contain visible text, not only spaces or invisible characters",
    NO_ADDRESS: "must describe a kind of person in words, without an e-mail address (no @)",
}

T = TypeVar("T")


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NON_BLANK)]
ShortText = Annotated[str, msgspec.Meta(max_length=2_000, pattern=NO_NUL)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000, pattern=NO_NUL)]
RequiredText = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000, pattern=NON_BLANK)]
Skill = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NON_BLANK)]
EMAIL_MAX_LENGTH = 320  # the column's length, which the lower-cased address must fit too
Email = Annotated[
    str,
    msgspec.Meta(min_length=3, max_length=EMAIL_MAX_LENGTH, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$"),
]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1_000, pattern=NO_NUL)]
NewPassword = Annotated[str, msgspec.Meta(min_length=10, max_length=1_000, pattern=NO_NUL)]
Slug = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
SkillList = Annotated[list[Skill], msgspec.Meta(max_length=20)]
ActionList = Annotated[list[ShortText], msgspec.Meta(max_length=20)]
# A date-time with its UTC offset. It is stored in UTC: check it with `check_utc_range`.
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]


def check_utc_range(field: str, value: datetime | None) -> None:
    """For a struct's `__post_init__`: near year 1 or 9999, an offset can push a date-time out of
    range once converted to UTC, as it is stored.

    A ValueError there is a validation error (400). Its message ends the way msgspec locates an
    error, so the error handler names the field as it does for any other.
    """
    if value is None:
        return
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            "Out of range: in UTC, a date-time must fall between the years 1 and 9999"
            f" - at `$.{field}`"
        ) from None


class Page(msgspec.Struct, Generic[T]):
    """A page of a list in a stable order; pass `next_cursor` as `cursor` for the next one."""

    items: list[T]
    next_cursor: str | None = None
