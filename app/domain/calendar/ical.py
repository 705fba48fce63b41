"""A small iCalendar (RFC 5545) writer: what a calendar feed of a few dated events needs.

Lines end with CRLF and are folded at 75 octets (a continuation line starts with one space,
and a UTF-8 character is never cut in two); text values escape backslash, semicolon, comma and
newlines; every moment is written in UTC (`...Z`), so no VTIMEZONE block is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_OCTETS = 75
# Control characters are not allowed in a TEXT value (newlines are escaped before this).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Event:
    uid: str  # stable: a calendar updates the event it already has instead of adding one
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    busy: bool = True  # False: shown without blocking the time (TRANSP:TRANSPARENT)


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
    return _CONTROL.sub("", text)


def utc(moment: datetime) -> str:
    """A DATE-TIME in UTC form (19980119T070000Z)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in a calendar: give an aware one")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1), without its final CRLF."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode())
        if size + octets > MAX_OCTETS:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return CRLF.join(parts)


def calendar(events: Iterable[Event], *, name: str, stamp: datetime) -> str:
    """The whole VCALENDAR; `stamp` (DTSTAMP) is when it was made."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Interlude//Calendar feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape(event.uid)}",
            f"DTSTAMP:{utc(stamp)}",
            f"DTSTART:{utc(event.start)}",
            f"DTEND:{utc(event.end)}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        lines += [f"TRANSP:{'OPAQUE' if event.busy else 'TRANSPARENT'}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
