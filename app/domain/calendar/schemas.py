from __future__ import annotations

import msgspec


class CalendarFeedOut(msgspec.Struct):
    # The secret URL: shown this once. Anyone holding it reads the feed; revoke it with
    # DELETE /api/v1/me/calendar, or make a new one (the old one then stops working).
    url: str
    detail: str
