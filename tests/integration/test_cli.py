"""The `interlude` command as an operator runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.settings import get_settings
from app.widget_demo import DemoWidget


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("INTERLUDE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("INTERLUDE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("INTERLUDE_ARGON2_MEMORY_KIB", "1024")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_demo_is_idempotent_and_prints_logins(cli_env: CliRunner, tmp_path: Path) -> None:
    first = cli_env.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "created" in first.output
    assert "coach@horizon.example" in first.output
    assert "interlude-demo" in first.output
    # The demo site's integration, its secret kept for `interlude widget-demo` only.
    widget = DemoWidget.load(tmp_path)
    assert widget is not None
    assert widget.secret.startswith("iti_")
    assert (tmp_path / "demo-widget.json").stat().st_mode & 0o077 == 0
    second = cli_env.invoke(main, ["demo"])
    assert second.exit_code == 0, second.output
    assert "already there" in second.output
    assert DemoWidget.load(tmp_path) == widget  # not made again


def test_db_upgrade_is_repeatable(cli_env: CliRunner) -> None:
    for _ in range(2):
        result = cli_env.invoke(main, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "head" in result.output


def test_org_and_user_creation(cli_env: CliRunner) -> None:
    assert cli_env.invoke(main, ["org", "create", "acme", "Acme"]).exit_code == 0
    duplicate = cli_env.invoke(main, ["org", "create", "acme", "Acme"])
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output
    args = ["user", "create", "--org", "acme", "--email", "a@acme.example", "--name", "A"]
    created = cli_env.invoke(main, [*args, "--role", "admin", "--password", "long enough pw"])
    assert created.exit_code == 0, created.output
    other = ["user", "create", "--org", "nope", "--email", "b@x.example", "--name", "B"]
    missing = cli_env.invoke(main, [*other, "--role", "coach", "--password", "pw pw pw pw"])
    assert missing.exit_code == 1
    assert "No organisation" in missing.output


def test_demo_is_refused_in_production(cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERLUDE_ENVIRONMENT", "production")
    get_settings.cache_clear()
    result = cli_env.invoke(main, ["demo"])
    assert result.exit_code == 1
    assert "refused in production" in result.output


def test_password_links_are_printed_when_no_smtp_is_set(cli_env: CliRunner) -> None:
    from app.domain.auth import links
    from app.lib.security import Passwords
    from tests.support import run_db

    assert cli_env.invoke(main, ["org", "create", "acme", "Acme"]).exit_code == 0
    args = ["user", "create", "--org", "acme", "--email", "a@acme.example", "--name", "A"]
    assert (
        cli_env.invoke(main, [*args, "--role", "admin", "--password", "long enough pw"]).exit_code
        == 0
    )

    refused = cli_env.invoke(main, ["user", "invite", "--org", "acme", "--email", "a@acme.example"])
    assert refused.exit_code == 1
    assert "already set a password" in refused.output
    unknown = cli_env.invoke(
        main, ["user", "reset-link", "--org", "acme", "--email", "z@acme.example"]
    )
    assert unknown.exit_code == 1
    assert "Nobody in 'acme'" in unknown.output

    printed = cli_env.invoke(
        main, ["user", "reset-link", "--org", "acme", "--email", "A@acme.example"]
    )
    assert printed.exit_code == 0, printed.output
    assert "No e-mail server is configured" in printed.output
    token = printed.output.strip().splitlines()[-1].split("#token=")[1]
    settings = get_settings()
    passwords = Passwords.from_settings(settings)
    user = run_db(
        settings, lambda db: links.set_password(db, passwords, token, "a new long password")
    )
    assert passwords.verify(user.password_hash, "a new long password")
