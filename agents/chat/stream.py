"""Streaming a reply safely: what reaches the client is always sanitised text.

Sanitising needs whole constructs (a tag, a Markdown link, a URL), so text that may still be
an unfinished one is held back until it is complete. When a later check changes text already
sent, a Replace event carries the whole reply again.
"""

from __future__ import annotations

from collections.abc import Collection

from agents.chat.state import Delta, Replace
from agents.sanitize import sanitize_reply


def stable_end(text: str) -> int:
    """How much of the (sanitised) text cannot change when more text arrives."""
    cut = len(text)
    tag = text.rfind("<")
    if tag != -1 and ">" not in text[tag:]:
        cut = min(cut, tag)
    bracket = text.rfind("[")
    if bracket != -1:
        rest = text[bracket:]
        if (
            "]" not in rest
            or ("](" in rest and ")" not in rest[rest.index("](") :])
            or rest.endswith("]")
        ):
            cut = min(cut, bracket)
    if text.endswith("!"):
        cut = min(cut, len(text) - 1)  # may open an image
    word_start = max(text.rfind(" "), text.rfind("\n")) + 1
    tail = text[word_start:]
    if "http" in tail or "www." in tail or tail.endswith(("h", "ht", "htt")):
        cut = min(cut, word_start)
    return cut


class SafeStream:
    def __init__(self, allowed_hosts: Collection[str]) -> None:
        self._hosts = allowed_hosts
        self._raw = ""
        self.sent = ""

    def feed(self, delta: str) -> list[Delta | Replace]:
        self._raw += delta
        clean = sanitize_reply(self._raw, self._hosts)
        return self._emit(clean[: stable_end(clean)])

    def finish(self, final: str) -> list[Delta | Replace]:
        """Send the final text (already checked and sanitised by the caller)."""
        return self._emit(final)

    @property
    def raw(self) -> str:
        return self._raw

    def _emit(self, text: str) -> list[Delta | Replace]:
        if text.startswith(self.sent):
            delta = text[len(self.sent) :]
            self.sent = text
            return [Delta(delta)] if delta else []
        self.sent = text
        return [Replace(text)]
