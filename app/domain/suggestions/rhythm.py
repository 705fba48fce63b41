"""A plan's rhythm: when each approved item reaches the learner.

Items arriving all at once the day after a session are read once and forgotten; spread over the
weeks until the next session, they keep the learner working between two meetings. A plan's
items get proposed dates when they are drafted (the coach sees each on the review page and may
change it); approving an item without naming a date keeps its proposal.

The days: working days (the configured weekdays) from the day after the session to the day
before the next one, each item at the configured hour in the learner's own time zone (the
installation's when they named none); the first item comes first,
the last on the last day. When the coach did not say when the next session is, there is no
rhythm to follow: items reach the learner as they are approved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.organizations.schemas import Policy
from app.lib.time_zones import is_time_zone
from app.settings import Settings

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Rhythm:
    hour: int = 9
    time_zone: str = "Europe/Paris"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    days_off: frozenset[date] = frozenset()  # public holidays, closures: nothing arrives

    @classmethod
    def from_settings(cls, settings: Settings) -> Rhythm:
        return cls(
            hour=settings.delivery_hour,
            time_zone=settings.delivery_time_zone,
            weekdays=tuple(settings.delivery_weekdays),
        )

    def with_policy(self, policy: Policy) -> Rhythm:
        """The organisation's own hour, working days and days off, where its policy sets them."""
        return replace(
            self,
            hour=self.hour if policy.delivery_hour is None else policy.delivery_hour,
            weekdays=self.weekdays if policy.working_days is None else tuple(policy.working_days),
            days_off=frozenset(policy.days_off),
        )

    def for_person(self, time_zone: str | None) -> Rhythm:
        """The same rhythm in a person's own zone, when they named a (still known) one."""
        if time_zone and is_time_zone(time_zone):
            return replace(self, time_zone=time_zone)
        return self


def proposed_dates(
    count: int, held_at: datetime, next_session_at: datetime | None, rhythm: Rhythm
) -> list[datetime | None]:
    """`count` delivery moments (UTC, in order) between this session and the next; None for
    each when the next session is not known (delivered when approved)."""
    if next_session_at is None:
        return [None] * count
    if count <= 0:
        return []
    zone = ZoneInfo(rhythm.time_zone)
    first = held_at.astimezone(zone).date() + ONE_DAY
    last = next_session_at.astimezone(zone).date() - ONE_DAY
    days = _working_days(first, max(last, first), rhythm) or [first]
    if count == 1:
        picked = [days[0]]
    else:
        step = (len(days) - 1) / (count - 1)
        picked = [days[round(i * step)] for i in range(count)]
    moment = time(hour=rhythm.hour)
    return [datetime.combine(day, moment, zone).astimezone(UTC) for day in picked]


def _working_days(first: date, last: date, rhythm: Rhythm) -> list[date]:
    span = (last - first).days + 1
    return [
        d
        for d in (first + i * ONE_DAY for i in range(span))
        if d.weekday() in rhythm.weekdays and d not in rhythm.days_off
    ]
