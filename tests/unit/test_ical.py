"""The iCalendar writer: CRLF, folding at 75 octets, escaping, UTC moments, stable UIDs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.calendar.ical import Event, calendar, escape, fold, utc

STAMP = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    """Content lines back from a calendar's text (RFC 5545 3.1), checking its line ends."""
    assert text.endswith("\r\n")
    physical = text[: -len("\r\n")].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)  # CRLF only
    assert all(len(line.encode()) <= 75 for line in physical)
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def events_of(text: str) -> list[dict[str, str]]:
    """Each VEVENT as {property name: unescaped value} (parameters dropped)."""
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(text):
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current[name.split(";")[0]] = unescape(value)
    return found


def test_a_calendar_is_crlf_lines_with_utc_moments() -> None:
    start = datetime(2026, 12, 8, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    event = Event("a@interlude", start, start + timedelta(hours=1), "Séance")
    text = calendar([event], name="Interlude", stamp=STAMP)
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    (parsed,) = events_of(text)
    assert parsed["UID"] == "a@interlude"
    assert parsed["DTSTART"] == "20261208T080000Z"  # 9:00 at UTC+1
    assert parsed["DTEND"] == "20261208T090000Z"
    assert parsed["DTSTAMP"] == "20261205T220000Z"
    assert parsed["SUMMARY"] == "Séance"
    assert parsed["TRANSP"] == "OPAQUE"


def test_text_is_escaped_and_comes_back_whole() -> None:
    tricky = 'Back\\slash; semi, comma\nnew line\r\nand "quotes": fine'
    assert escape(tricky) == ('Back\\\\slash\\; semi\\, comma\\nnew line\\nand "quotes": fine')
    event = Event("x", STAMP, STAMP, tricky, description=tricky, busy=False)
    (parsed,) = events_of(calendar([event], name="a,b", stamp=STAMP))
    assert parsed["SUMMARY"] == parsed["DESCRIPTION"] == tricky.replace("\r\n", "\n")
    assert parsed["TRANSP"] == "TRANSPARENT"


def test_control_characters_are_dropped() -> None:
    assert escape("a\x00b\x07c\td") == "abc\td"


def test_long_lines_fold_at_75_octets_without_cutting_a_character() -> None:
    line = "SUMMARY:" + "é" * 100  # two octets each
    folded = fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 1
    assert all(len(p.encode()) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert "".join([physical[0], *(p[1:] for p in physical[1:])]) == line
    assert fold("short") == "short"
    assert len(fold("X" * 75).split("\r\n")) == 1  # exactly 75 octets: no fold
    assert fold("X" * 76).split("\r\n") == ["X" * 75, " X"]


@given(st.text(max_size=400))
def test_any_summary_survives_writing_and_reading(summary: str) -> None:
    (parsed,) = events_of(calendar([Event("u", STAMP, STAMP, summary)], name="n", stamp=STAMP))
    expected = summary.replace("\r\n", "\n").replace("\r", "\n")
    expected = "".join(c for c in expected if c in "\t\n" or not (ord(c) < 32 or ord(c) == 127))
    assert parsed["SUMMARY"] == expected


def test_the_same_events_give_the_same_text() -> None:
    events = [Event(f"e{i}", STAMP + timedelta(days=i), STAMP, "s") for i in range(3)]
    first = calendar(events, name="n", stamp=STAMP)
    assert first == calendar(events, name="n", stamp=STAMP)
    assert [e["UID"] for e in events_of(first)] == ["e0", "e1", "e2"]


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc(datetime(2026, 12, 8, 9, 0))  # noqa: DTZ001
