"""A plan's rhythm: items spread over the working days between two sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.suggestions.rhythm import Rhythm, proposed_dates

PARIS = ZoneInfo("Europe/Paris")
RHYTHM = Rhythm(hour=9, time_zone="Europe/Paris", weekdays=(0, 1, 2, 3, 4))


def test_items_are_spread_from_the_day_after_to_the_day_before_the_next_session() -> None:
    held = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # a Monday
    following = datetime(2026, 12, 21, 15, 0, tzinfo=UTC)  # two weeks later
    dates = proposed_dates(5, held, following, RHYTHM)
    local = [d.astimezone(PARIS) for d in dates]
    assert [d.date().isoformat() for d in local] == [
        "2026-12-08",  # Tuesday, the day after
        "2026-12-10",
        "2026-12-14",
        "2026-12-16",
        "2026-12-18",  # Friday, the last working day before the next session
    ]
    assert all(d.hour == 9 for d in local)  # 9:00 in Paris (8:00 UTC in winter)
    assert dates[0].hour == 8


def test_without_a_next_session_items_come_when_approved() -> None:
    held = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    assert proposed_dates(3, held, None, RHYTHM) == [None, None, None]


def test_a_next_session_the_next_day_puts_everything_on_the_day_after() -> None:
    held = datetime(2026, 12, 11, 15, 0, tzinfo=UTC)  # a Friday: the day after is Saturday
    dates = proposed_dates(3, held, held + timedelta(days=1), RHYTHM)
    assert len({d.date() for d in dates if d}) == 1  # no working day: the first day it is


@settings(max_examples=200, deadline=None)
@given(
    count=st.integers(1, 12),
    days=st.integers(1, 60),
    # Hypothesis takes naive bounds and attaches the zone itself.
    start=st.datetimes(
        datetime(2026, 1, 1),  # noqa: DTZ001
        datetime(2030, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_dates_are_in_order_on_working_days_between_the_sessions(
    count: int, days: int, start: datetime
) -> None:
    following = start + timedelta(days=days)
    dates = [d for d in proposed_dates(count, start, following, RHYTHM) if d is not None]
    assert len(dates) == count
    assert dates == sorted(dates)
    assert all(d > start for d in dates)
    if days >= 4:  # a working day exists strictly between the two
        assert all(d.astimezone(PARIS).weekday() < 5 for d in dates)
        assert all(d.astimezone(PARIS).date() < following.astimezone(PARIS).date() for d in dates)


def test_an_organisation_s_policy_sets_its_hour_working_days_and_days_off() -> None:
    from datetime import date

    from app.domain.organizations.schemas import Policy

    policy = Policy.load(
        {"delivery_hour": 14, "working_days": [0, 2, 4], "days_off": ["2026-12-16"]}
    )
    held = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # a Monday
    following = datetime(2026, 12, 21, 15, 0, tzinfo=UTC)
    dates = proposed_dates(10, held, following, RHYTHM.with_policy(policy))
    local = {d.astimezone(PARIS).date() for d in dates}
    # Mondays, Wednesdays and Fridays from the 8th to the 20th, without the 16th (a day off).
    assert sorted(local) == [
        date(2026, 12, 9),
        date(2026, 12, 11),
        date(2026, 12, 14),
        date(2026, 12, 18),
    ]
    assert {d.astimezone(PARIS).hour for d in dates} == {14}
    assert RHYTHM.with_policy(Policy.load({})) == RHYTHM  # unset: the server's settings


def test_quiet_hours_across_midnight() -> None:
    from app.domain.organizations.schemas import QuietHours

    night = QuietHours(start=20, end=8)
    assert [night.cover(h) for h in (19, 20, 23, 0, 7, 8)] == [False, True, True, True, True, False]
    lunch = QuietHours(start=12, end=14)
    assert [lunch.cover(h) for h in (11, 12, 13, 14)] == [False, True, True, False]
    assert not QuietHours(start=9, end=9).cover(9)  # an empty span


def test_a_learner_in_new_york_gets_nine_oclock_new_york() -> None:
    held = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # a Monday
    following = datetime(2026, 12, 21, 15, 0, tzinfo=UTC)
    dates = proposed_dates(3, held, following, RHYTHM.for_person("America/New_York"))
    local = [d.astimezone(ZoneInfo("America/New_York")) for d in dates if d]
    assert [d.hour for d in local] == [9, 9, 9]
    assert [d.hour for d in dates if d] == [14, 14, 14]  # UTC-5 in December
    assert local[0].date().isoformat() == "2026-12-08"


def test_no_or_an_unknown_zone_keeps_the_installations() -> None:
    assert RHYTHM.for_person(None) == RHYTHM
    assert RHYTHM.for_person("") == RHYTHM
    assert RHYTHM.for_person("Mars/Olympus_Mons") == RHYTHM
