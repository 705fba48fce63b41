"""The admin pages' words, French and English side by side (see `messages.py`).

Kept apart from the learner and coach words so each area's vocabulary reads on its own;
`i18n.py` merges both and refuses a key defined twice.
"""

from __future__ import annotations

# key: (French, English)
ADMIN_MESSAGES: dict[str, tuple[str, str]] = {}

# Keys the admin scripts need, sent as JSON in the layout (as `i18n.JS_KEYS`).
ADMIN_JS_KEYS: tuple[str, ...] = ()
