"""French or English, by the reader's locale (`User.locale`; before login, the browser's).

Pages call `t(key, **values)` on the words of `messages.py`; scripts get the keys of `JS_KEYS`
as JSON in the layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.lib.time_zones import is_time_zone
from app.web.messages import MESSAGES as CORE_MESSAGES
from app.web.messages_admin import ADMIN_JS_KEYS, ADMIN_MESSAGES
from app.web.messages_circles import CIRCLE_MESSAGES
from app.web.messages_companions import COMPANION_MESSAGES
from app.web.messages_widget import WIDGET_MESSAGES

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"

JS_KEYS = (
    "error.network",
    "error.generic",
    "source",
    "sources",
    "chat.you",
    "chat.companion",
    "chat.writing",
    "chat.replied",
    "chat.failed",
    "chat.retry",
    "chat.tell_coach",
    "chat.coach_told",
    "chat.empty_message",
    "chat.share_saved",
    "passage.loading",
    "passage.gone",
    "passage.from",
    "coach.acknowledged",
    "plan.logged",
    "plan.queued",
    "plan.running",
    "plan.retrying",
    "plan.done",
    "plan.failed",
    "plan.none",
    "review.approved",
    "review.edited",
    "review.rejected",
    "review.reason_needed",
    "review.batch_done",
    "review.banked",
    "brief.writing",
    "journal.now_shared",
    "journal.now_private",
    "journal.confirm_delete",
    "calendar.copied",
    "circles.time_left",
    "circles.time_up",
    "circles.closed",
    "circles.draft.questions",
    "circles.draft.synthesis",
    "circles.draft_state.approved",
    "circles.draft_state.edited",
    *ADMIN_JS_KEYS,
)

# tests/browser/test_page_helpers.py checks that no key is defined in both.
MESSAGES: dict[str, tuple[str, str]] = {
    **CORE_MESSAGES,
    **ADMIN_MESSAGES,
    **WIDGET_MESSAGES,
    **COMPANION_MESSAGES,
    **CIRCLE_MESSAGES,
}

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}


def _locale(locale: str | None) -> str:
    return locale if locale in LOCALES else DEFAULT_LOCALE


def text(key: str, locale: str | None, *, fallback: str | None = None, **values: Any) -> str:
    if key not in MESSAGES and fallback is not None:
        return fallback
    french, english = MESSAGES[key]
    chosen = english if _locale(locale) == "en" else french
    return chosen.format(**values) if values else chosen


def translate(
    ctx: Mapping[str, Any], /, key: str, fallback: str | None = None, **values: Any
) -> str:
    """`t(key, **values)` in templates: the context's `locale` picks the language."""
    return text(key, ctx.get("locale"), fallback=fallback, **values)


def js_strings(locale: str) -> dict[str, str]:
    return {key: text(key, locale) for key in JS_KEYS}


def format_date(day: date, locale: str | None) -> str:
    month = MONTHS[_locale(locale)].split()[day.month - 1]
    return f"{day.day} {month} {day.year}"


def _in_readers_zone(ctx: Mapping[str, Any], moment: datetime) -> datetime | None:
    zone = ctx.get("time_zone")
    if zone and is_time_zone(zone) and moment.tzinfo is not None:
        return moment.astimezone(ZoneInfo(zone))
    return None


def template_date(ctx: Mapping[str, Any], /, day: date) -> str:
    """A moment's day is the reader's when they chose a time zone (9:00 in Sydney is the
    evening before in UTC)."""
    if isinstance(day, datetime):
        day = (_in_readers_zone(ctx, day) or day).date()
    return format_date(day, ctx.get("locale"))


def template_datetime(ctx: Mapping[str, Any], /, moment: datetime) -> str:
    """In the reader's time zone when they chose one (the page's script then keeps it), else
    UTC on the server and the browser's zone once the script ran."""
    local = _in_readers_zone(ctx, moment)
    if local is not None:
        return f"{format_date(local.date(), ctx.get('locale'))}, {local:%H:%M} ({ctx['time_zone']})"
    return f"{format_date(moment.date(), ctx.get('locale'))}, {moment:%H:%M} UTC"


def locale_from_header(accept_language: str | None) -> str:
    """The first of our languages in Accept-Language (before login, the browser's choice)."""
    ranked: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.split("-")[0].lower()
        if language in LOCALES:
            ranked.append((quality, language))
    return max(ranked, key=lambda r: r[0])[1] if ranked else DEFAULT_LOCALE
