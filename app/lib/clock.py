"""Time, in one place, always aware and in UTC."""

from collections.abc import Callable
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


# What a moment is read from where tests move time (the app's `clock` dependency, app/deps.py).
Clock = Callable[[], datetime]
