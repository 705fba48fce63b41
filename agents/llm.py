"""The only place models are built: embeddings now, chat models with the agents issue.

Takes plain values (no `app` import): the app passes what its settings say. Every remote
provider is opt-in; the defaults run offline from installed packages.
"""

from __future__ import annotations

from typing import Literal

from knowledge.embeddings import Embedder, OpenAIEmbeddings, UniversalSentenceEncoder


class ProviderConfigError(ValueError):
    """A provider was asked for without what it needs; the message names the setting."""


def build_embedder(
    provider: Literal["use", "openai"],
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str = "",
    dimension: int = 0,
    timeout_s: float = 30.0,
) -> Embedder:
    if provider == "use":
        return UniversalSentenceEncoder()
    if not base_url:
        raise ProviderConfigError(
            "INTERLUDE_EMBEDDING_PROVIDER=openai needs OPENAI_BASE_URL "
            "(and usually OPENAI_API_KEY)."
        )
    from openai import OpenAI

    # One retry layer: the client's own (max_retries); an explicit timeout, not its 600 s default.
    client = OpenAI(
        base_url=base_url, api_key=api_key or "unused", timeout=timeout_s, max_retries=2
    )
    return OpenAIEmbeddings(client, model=model, dimension=dimension)
