"""A person's time zone: an IANA name, checked against the time zone database.

`zoneinfo.ZoneInfo` alone accepts keys that are no zone for a person ("posixrules", files that
happen to lie in the database's folder); the set of available names is the list to match.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from app.lib.errors import InvalidInput

# Offered first on the account page; any other IANA name is accepted too.
COMMON_TIME_ZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Casablanca",
    "Africa/Algiers",
    "Africa/Tunis",
    "Africa/Dakar",
    "Africa/Abidjan",
    "Africa/Johannesburg",
    "Indian/Reunion",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "America/Martinique",
    "America/Guadeloupe",
    "America/Cayenne",
    "America/Sao_Paulo",
    "America/Montreal",
    "America/Toronto",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "UTC",
)


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    return name in _known()


def check_time_zone(name: str, *, field: str = "time_zone") -> str:
    """The name, if it is a time zone; a 400 naming `field` otherwise."""
    if not is_time_zone(name):
        shown = name if len(name) <= 64 else name[:64] + "…"
        raise InvalidInput(
            f"Unknown time zone {shown!r}: use an IANA name such as Europe/Paris or "
            "America/New_York (or an empty string for the organisation's default).",
            field=field,
        )
    return name


def zone_of(name: str | None, default: str) -> ZoneInfo:
    """A person's zone, or `default` when they named none (or one no longer known)."""
    return ZoneInfo(name if name and is_time_zone(name) else default)
