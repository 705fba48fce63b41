"""The safe stream: whatever pieces a model sends, the client is never shown markup or a link
the sanitiser would remove, the reply it ends with is the sanitised whole, and the work per
reply grows with its length, not with its length squared."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.chat import stream as stream_module
from agents.chat.state import Delta, Replace
from agents.chat.stream import SafeStream
from agents.sanitize import sanitize_reply

HOSTS = ("ok.example",)
# Pieces of hostile and ordinary replies; "evil" appears only inside markup or URLs.
TOKENS = [
    "Voyez ", "mot ", "un mot un peu long ", " ", "\n", "\n\n", "(", ")", "[", "]", "<", ">", '"',
    "<img src='https://evil.example/x'>", "<a href='https://evil.example'>", "</a>", "<b>", "</b>",
    "<script>", "</script>", "<!--", "-->", "![", "[lien", "](https://evil.example)",
    "](/knowledge/x)", "[S1]", "[ref]", "[ref]: https://evil.example/r\n",
    "https://evil.example/z ", "https://ok.example/a ", "www.evil.example ",
    " javascript:alert(1) ",
]  # fmt: skip
UNSAFE = re.compile(
    r"<(?:img|script|a|b)\b"  # a tag
    r"|\]\(\s*<?(?!/|https://ok\.example)[^\s)]"  # a link to elsewhere
    r"|https?://evil|(?<![\w.@/-])www\.evil|\bjavascript:",  # a bare URL or a script scheme
    re.I,
)


def _pieces(raw: str, rnd: random.Random) -> list[str]:
    count = min(len(raw), rnd.randint(0, 120))
    cuts = sorted(rnd.sample(range(len(raw) + 1), count))
    return [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]


def _apply(text: str, events: list[Delta | Replace]) -> str:
    for event in events:
        text = text + event.text if isinstance(event, Delta) else event.text
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=80), st.randoms(use_true_random=False))
def test_the_client_never_sees_what_the_sanitiser_removes(
    tokens: list[str], rnd: random.Random
) -> None:
    raw = "".join(tokens)
    safe = SafeStream(HOSTS)
    shown = ""
    for piece in _pieces(raw, rnd):
        shown = _apply(shown, safe.feed(piece))
        assert not UNSAFE.search(shown), shown
    final = sanitize_reply(raw, HOSTS)
    assert _apply(shown, safe.finish(final)) == final


def test_a_long_reply_is_sanitised_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    sanitised: list[int] = []

    def counting(text: str, hosts: object) -> str:
        sanitised.append(len(text))
        return sanitize_reply(text, HOSTS)

    monkeypatch.setattr(stream_module, "sanitize_reply", counting)
    sentence = "Qu'est-ce qui compte pour vous [S1] quand l'équipe n'est pas d'accord ? "
    reply = sentence * 60  # 4,300 characters, 720 pieces
    safe = SafeStream(HOSTS)
    for word in reply.split(" "):
        safe.feed(word + " ")

    assert safe.sent.strip() == reply.strip()
    # Each piece re-sanitises a short window, however long the reply already is (the whole
    # text per piece would be 720 * 4,300 / 2 = 1.5 M characters in all).
    assert max(sanitised) < 200
    assert sum(sanitised) < 25 * len(reply)
