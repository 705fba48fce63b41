"""Template filters."""

from __future__ import annotations

import re

# The chat agent cites inline as [S3]; its citations list follows their first appearance.
_LABEL = re.compile(r"\[S(\d{1,2})\]")


def cite_numbers(text: str) -> str:
    """[S3] ... [S1] ... [S3] -> [1] ... [2] ... [1]: the numbers of the citation buttons."""
    order: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"[{order.setdefault(match.group(1), len(order) + 1)}]"

    return _LABEL.sub(number, text)
