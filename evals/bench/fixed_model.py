"""A chat model for benchmarks only: a fixed answer after a fixed delay.

NOT a default anywhere, never built from settings, never used by the app: `python -m evals bench
overhead` hands it to `create_app(agents=...)` so that the time around the model call (the
service's overhead) can be told apart from the model's own time. It records the
`time.perf_counter()` of the call's start and of each delta it yields, which the benchmark
reads from the same process to measure, not assume, when the model produced its first token.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.llm import ChatMessage, Completion, StreamStats

# French like the benchmark's learners, one question, no link or markup: the agent's checks
# pass it through unchanged.
FIXED_TEXT = (
    "Vous dites vouloir donner des retours plus directs à votre équipe. "
    "La dernière fois qu'un retour franc vous a aidé, qu'est-ce qui l'a rendu utile ? "
    "Notez un exemple concret avant votre prochaine séance."
)


@dataclass(slots=True)
class StreamTimes:
    """When one `stream` call started and when it yielded each delta (perf_counter seconds)."""

    started: float
    yields: list[float] = field(default_factory=list)


class FixedDelayModel:
    """Answers FIXED_TEXT (or `text`) `delay_s` after being called: `complete` whole, `stream`
    in `deltas` pieces, the first right after the delay, the next ones `gap_s` apart."""

    def __init__(
        self,
        delay_s: float = 0.2,
        *,
        text: str = FIXED_TEXT,
        deltas: int = 8,
        gap_s: float = 0.0,
        keep: int = 10_000,
    ) -> None:
        self.delay_s = delay_s
        self.text = text
        self.gap_s = gap_s
        self.pieces = _split(text, deltas)
        self.times: list[StreamTimes] = []  # one per stream call, newest last (`keep` kept)
        self.stream_calls = 0
        self._keep = keep
        self._lock = threading.Lock()

    @property
    def provider(self) -> str:
        return "bench-fixed"

    @property
    def model(self) -> str:
        return f"fixed-{round(self.delay_s * 1000)}ms"

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        started = time.perf_counter()
        time.sleep(self.delay_s)
        return Completion(
            text=self.text,
            tokens_in=sum(len(m.content) for m in messages) // 4,
            tokens_out=len(self.text) // 4,
            latency_ms=round((time.perf_counter() - started) * 1000),
        )

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        stats: StreamStats | None = None,
    ) -> Iterator[str]:
        record = StreamTimes(time.perf_counter())
        with self._lock:
            self.stream_calls += 1
            self.times.append(record)
            del self.times[: -self._keep]
        return self._deltas(record, messages, stats)

    def _deltas(
        self, record: StreamTimes, messages: Sequence[ChatMessage], stats: StreamStats | None
    ) -> Iterator[str]:
        time.sleep(self.delay_s)
        for index, piece in enumerate(self.pieces):
            if index and self.gap_s:
                time.sleep(self.gap_s)
            now = time.perf_counter()
            record.yields.append(now)
            if stats is not None:
                if index == 0:
                    stats.first_token_ms = round((now - record.started) * 1000)
                stats.chunks += 1
            yield piece
        if stats is not None:
            stats.tokens_in = sum(len(m.content) for m in messages) // 4
            stats.tokens_out = len(self.text) // 4
            stats.latency_ms = round((time.perf_counter() - record.started) * 1000)


def _split(text: str, deltas: int) -> list[str]:
    """`text` in about `deltas` pieces cut after whitespace (joined, they give `text` back)."""
    words = re.findall(r"\S+\s*", text)
    size = max(1, -(-len(words) // max(1, deltas)))
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]
