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
