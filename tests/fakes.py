"""Test doubles for models. Used by tests only; never shipped as a default."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from agents.llm import ChatMessage, Completion, StreamStats
from knowledge.embeddings import Vectors


class HashingEmbedder:
    """Deterministic bag-of-words vectors: enough to exercise stores, not to judge quality."""

    def __init__(self, model_name: str = "test-hashing", dimension: int = 64) -> None:
        self.model_name = model_name
        self.dimension = dimension
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                bucket = int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dimension
                vectors[row, bucket] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)


class ScriptedChatModel:
    """A chat model that answers from a script, in order, and records every call.

    Each script entry is the text to return, or an exception to raise (a ModelError to mimic
    a provider failure). Streaming splits the text into word-sized deltas.
    """

    def __init__(
        self, script: Sequence[str | Exception], *, model: str = "scripted", delay_s: float = 0.0
    ) -> None:
        self.script = list(script)
        self.calls: list[dict[str, Any]] = []
        self._model = model
        self.delay_s = delay_s

    @property
    def provider(self) -> str:
        return "scripted"

    @property
    def model(self) -> str:
        return self._model

    def _next(self, kind: str, messages: Sequence[ChatMessage], **options: Any) -> str:
        self.calls.append({"kind": kind, "messages": list(messages), **options})
        if not self.script:
            raise AssertionError(f"ScriptedChatModel ran out of answers at call {len(self.calls)}")
        if self.delay_s:
            time.sleep(self.delay_s)
        entry = self.script.pop(0)
        if isinstance(entry, Exception):
            raise entry
        return entry

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        text = self._next("complete", messages, json_schema=json_schema, max_tokens=max_tokens)
        return Completion(
            text=text,
            tokens_in=sum(len(m.content) for m in messages) // 4,
            tokens_out=len(text) // 4,
        )

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        stats: StreamStats | None = None,
    ) -> Iterator[str]:
        text = self._next("stream", messages, max_tokens=max_tokens)
        for index, word in enumerate(re.findall(r"\S+\s*", text)):
            if stats is not None and index == 0:
                stats.first_token_ms = 0
            yield word
