from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings, normalise_database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
    ],
)
def test_database_urls_people_paste_are_accepted(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_defaults_to_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="")
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path}/interlude.db"
    assert settings.is_sqlite


def test_database_url_comes_from_the_conventional_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db/interlude")
    assert Settings().resolved_database_url == "postgresql+asyncpg://app@db/interlude"


def test_production_insists_on_secure_cookies() -> None:
    assert Settings(environment="production").secure_cookies
    assert not Settings(environment="development").secure_cookies
    with pytest.raises(ValidationError, match="COOKIE_SECURE"):
        Settings(environment="production", cookie_secure=False)


@pytest.mark.parametrize("uses_model", [True, False])
def test_the_safety_guard_uses_the_chat_model_unless_told_not_to(
    tmp_path: Path, uses_model: bool
) -> None:
    from app.domain.agents.runtime import AgentRuntime
    from knowledge.base import KnowledgeBase
    from tests.fakes import HashingEmbedder

    settings = Settings(
        data_dir=tmp_path,
        chat_provider="openai",
        chat_model="gpt-4o-mini",
        openai_base_url="http://127.0.0.1:9/v1",  # never called: building calls nothing
        safety_uses_model=uses_model,
    )
    runtime = AgentRuntime.from_settings(settings, KnowledgeBase(tmp_path, HashingEmbedder()))

    assert runtime.llm is not None
    assert (runtime.guard.model is runtime.llm) is uses_model
    assert (runtime.guard.model is None) is not uses_model


def test_metrics_are_off_by_default_and_a_short_token_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().metrics_token is None
    monkeypatch.setenv("INTERLUDE_METRICS_TOKEN", "short")
    with pytest.raises(ValidationError, match="metrics_token"):
        Settings()
    monkeypatch.setenv("INTERLUDE_METRICS_TOKEN", "m" * 24)
    token = Settings().metrics_token
    assert token is not None
    assert token.get_secret_value() == "m" * 24
    assert "m" * 24 not in repr(Settings())
