"""`interlude knowledge ...` as an admin runs it, and indexing that survives a restart."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import select, update

from app.asgi import create_app
from app.cli import main
from app.db.models import Document
from app.db.models.enums import DocumentStatus
from app.domain.knowledge import pipeline
from app.settings import Settings, get_settings
from tests.support import build_worlds, run_db, with_key


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("INTERLUDE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_ingest_a_folder_with_good_and_bad_files(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    build_worlds(settings, "alpha")
    folder = tmp_path / "docs"
    (folder / "program").mkdir(parents=True)
    (folder / "values.md").write_text("---\nkind: value\n---\n## Audace\n\nOser proposer.\n")
    (folder / "program" / "feedback.md").write_text(
        "---\nkind: program_module\nskill: feedback\n---\n## Donner\n\nUn retour précis.\n"
    )
    (folder / "empty.md").write_text("")
    (folder / "photo.png").write_bytes(b"\x89PNG")
    result = cli.invoke(main, ["knowledge", "ingest", str(folder), "--org", "alpha"])
    assert result.exit_code == 1, result.output
    assert "2 added, 0 updated, 0 unchanged, 2 failed" in result.output
    assert "empty.md: The file is empty." in result.output
    assert "Unsupported file type '.png'" in result.output

    again = cli.invoke(main, ["knowledge", "ingest", str(folder / "values.md"), "--org", "alpha"])
    assert "0 added, 0 updated, 1 unchanged, 0 failed" in again.output

    listing = cli.invoke(main, ["knowledge", "list", "--org", "alpha"]).output
    assert "indexed" in listing
    assert "program/feedback.md" in listing
    assert "failed" in listing

    found = cli.invoke(
        main,
        ["knowledge", "search", "donner un retour", "--org", "alpha", "--kind", "program_module"],
    )
    assert found.exit_code == 0, found.output
    assert "program/feedback.md" in found.output

    removed = cli.invoke(main, ["knowledge", "remove", "values.md", "nothing.md", "--org", "alpha"])
    assert removed.exit_code == 1
    assert "1 removed" in removed.output
    assert "Not found: nothing.md" in removed.output
    assert (
        "Nothing relevant"
        in cli.invoke(
            main, ["knowledge", "search", "oser", "--org", "alpha", "--kind", "value"]
        ).output
    )
    assert cli.invoke(main, ["knowledge", "list", "--org", "nope"]).exit_code == 1


def test_reindex_rebuilds_from_stored_documents(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    build_worlds(settings, "alpha")
    source = tmp_path / "values.md"
    source.write_text("---\nkind: value\n---\n## Audace\n\nOser proposer des idées.\n")
    assert cli.invoke(main, ["knowledge", "ingest", str(source), "--org", "alpha"]).exit_code == 0
    result = cli.invoke(main, ["knowledge", "reindex", "--org", "alpha"])
    assert result.exit_code == 0, result.output
    assert "Re-indexed: 1 documents, 0 failed." in result.output
    assert "v2" in cli.invoke(main, ["knowledge", "list", "--org", "alpha"]).output
    assert "values.md" in cli.invoke(main, ["knowledge", "search", "oser", "--org", "alpha"]).output


def test_work_left_by_a_dead_process_is_finished_at_start(settings: Settings) -> None:
    """A document stored as pending, and one left 'processing' by a crash, get indexed."""
    [alpha] = build_worlds(settings, "alpha")

    async def leave_work(db: Any) -> None:
        for name in ("a.md", "b.md"):
            await pipeline.store(
                db,
                settings.uploads_dir,
                organization_id=alpha.id,
                name=name,
                data=b"---\nkind: value\n---\n## Audace\n\nOser.\n",
                declared=pipeline.Declared(),
                max_bytes=settings.max_upload_bytes,
            )
        await db.execute(
            update(Document).where(Document.name == "b.md").values(status=DocumentStatus.PROCESSING)
        )

    run_db(settings, leave_work)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        admin = with_key(client, alpha.admin)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            statuses = {
                d["name"]: d["status"]
                for d in admin.get("/api/v1/knowledge/documents").json()["items"]
            }
            if set(statuses.values()) == {"indexed"}:
                break
            time.sleep(0.1)
        assert statuses == {"a.md": "indexed", "b.md": "indexed"}

    async def count(db: Any) -> int:
        return len((await db.scalars(select(Document))).all())

    assert run_db(settings, count) == 2


def test_ingest_while_a_server_runs_is_indexed_by_the_server(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    """Chroma does not see another process's writes: the serving process must index."""
    [alpha] = build_worlds(settings, "alpha")
    source = tmp_path / "zeppelin.md"
    source.write_text("---\nkind: event\n---\n## Zeppelin violet\n\nUn zeppelin violet en mars.\n")
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        result = cli.invoke(main, ["knowledge", "ingest", str(source), "--org", "alpha"])
        assert result.exit_code == 0, result.output
        assert "queued" in result.output
        assert "1 queued" in result.output
        coach = with_key(client, alpha.coach)
        deadline = time.monotonic() + 30
        hits: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not hits:
            time.sleep(0.2)
            hits = coach.get(
                "/api/v1/knowledge/search", params={"q": "zeppelin violet", "mode": "dense"}
            ).json()
        assert hits
        assert hits[0]["document_name"] == "zeppelin.md"
        refused = cli.invoke(main, ["knowledge", "remove", "zeppelin.md", "--org", "alpha"])
        assert refused.exit_code == 1
        assert "stop it first" in refused.output
        assert cli.invoke(main, ["knowledge", "reindex", "--org", "alpha"]).exit_code == 1
        assert cli.invoke(main, ["demo"]).exit_code == 1
