"""`interlude knowledge setup` and `interlude knowledge migrate`: the PostgreSQL knowledge store's
tables, and moving an organisation's passages between the embedded store and PostgreSQL."""

from __future__ import annotations

from typing import Literal

import click

from app.knowledge_cli import ORG, _organization, _run, knowledge
from app.runtime import build_knowledge
from app.settings import Settings
from app.settings import settings_or_exit as _settings
from knowledge.errors import StoreUnavailable
from knowledge.pg import PgKnowledgeStore

Store = Literal["chroma", "postgres"]


def _store(settings: Settings, name: Store) -> PgKnowledgeStore | object:
    if name == "postgres" and not settings.resolved_database_url.startswith("postgresql"):
        raise click.ClickException(
            "The PostgreSQL knowledge store lives in the app's database: set DATABASE_URL to "
            "a PostgreSQL database with pgvector."
        )
    return build_knowledge(settings, name)


@knowledge.command("setup", help="Create the PostgreSQL knowledge store's tables and index.")
def setup() -> None:
    settings = _settings()
    store = _store(settings, "postgres")
    assert isinstance(store, PgKnowledgeStore)  # noqa: S101 (narrowing for the type checker)
    try:
        store.setup()
        store.prepare()
    except StoreUnavailable as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()
    model = store.embedder
    click.echo(
        f"The knowledge tables are ready, with a vector index for {model.model_name} "
        f"({model.dimension} dimensions)."
    )


@knowledge.command(
    "migrate",
    help="Copy an organisation's passages and vectors to the other store (ids kept, so "
    "citations stay valid), then check the counts.",
)
@ORG
@click.option("--to", "target_name", type=click.Choice(["postgres", "chroma"]), required=True)
@click.option(
    "--drop-source", is_flag=True, help="Delete the organisation from the store it leaves."
)
def migrate(org_slug: str, target_name: Store, drop_source: bool) -> None:
    settings = _settings()
    source_name: Store = "chroma" if target_name == "postgres" else "postgres"
    source = build_knowledge(settings, source_name)
    target = build_knowledge(settings, target_name)
    _store(settings, "postgres")  # refuses a SQLite DATABASE_URL with what to do
    org = _run(settings, lambda sessions: _organization(sessions, org_slug))
    chroma = source if source_name == "chroma" else target
    if not chroma.try_own():
        raise click.ClickException(
            f"A server owns {settings.knowledge_dir}: stop it first (the embedded store has one "
            "writer process)."
        )
    try:
        target.prepare()
        source.prepare()
        moved = 0
        from_org = source.organization(str(org.id))
        to_org = target.organization(str(org.id))
        for batch in from_org.export_live():
            to_org.import_live(batch)
            moved += len(batch.chunks)
        expected, found = from_org.count_live(), to_org.count_live()
        if found != expected:
            raise click.ClickException(
                f"{found} passages in {target_name} for {expected} in {source_name}: the "
                "source was left as it was; run the command again."
            )
        if drop_source:
            source.drop_organization(str(org.id))
        if isinstance(target, PgKnowledgeStore):
            target.analyze()  # the bulk load's statistics now, not at autovacuum's next pass
    except StoreUnavailable as error:
        raise click.ClickException(str(error)) from None
    finally:
        chroma.release()
        source.close()
        target.close()
    click.echo(f"{moved} passages copied to {target_name} ({found} live there).")
    if not drop_source:
        click.echo(
            f"The {source_name} copy stays: set INTERLUDE_KNOWLEDGE_STORE={target_name} and "
            "restart to serve from the new one, then run again with --drop-source to remove it."
        )
