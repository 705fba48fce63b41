"""`interlude knowledge ...`: ingest, list, remove, search and re-index an organisation's
knowledge from the command line (the same services as the API)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar, get_args
from uuid import UUID

import click
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.engine import create_engine
from app.db.models import Document, Organization
from app.domain.knowledge import pipeline
from app.runtime import build_knowledge
from app.settings import Settings
from app.settings import settings_or_exit as _settings
from knowledge.documents import DocumentKind
from knowledge.retrieval import Mode
from knowledge.store import KnowledgeStore

T = TypeVar("T")


def _run(settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    async def go() -> T:
        engine = create_engine(settings.resolved_database_url)
        try:
            return await work(async_sessionmaker(engine, expire_on_commit=False))
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def _organization(sessions: async_sessionmaker[AsyncSession], slug: str) -> Organization:
    async with sessions() as db:
        org = await db.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        raise click.ClickException(f"No organisation with slug '{slug}' (see `interlude org`).")
    return org


def _expand(paths: tuple[Path, ...]) -> list[tuple[Path, str]]:
    """Files to ingest, each with the name it gets (relative to the folder given)."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found += [
                (f, str(f.relative_to(path)))
                for f in sorted(path.rglob("*"))
                if f.is_file() and not f.name.startswith(".")
            ]
        else:
            found.append((path, path.name))
    return found


def _owned_knowledge(settings: Settings, alternative: str = "") -> KnowledgeStore:
    """The knowledge base, if no server owns it (only its owner may change vectors)."""
    knowledge_base = build_knowledge(settings)
    if not knowledge_base.try_own():
        raise click.ClickException(
            f"A server owns {settings.knowledge_dir}: stop it first{alternative}."
        )
    return knowledge_base


@click.group(help="An organisation's knowledge: documents, passages, search.")
def knowledge() -> None:
    pass


ORG = click.option("--org", "org_slug", required=True, help="Organisation slug.")
KINDS = click.Choice([k.value for k in DocumentKind])


@knowledge.command("ingest", help="Index files or folders (Markdown, text, HTML, PDF, DOCX).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@ORG
@click.option("--kind", type=KINDS, help="Kind of every file (else from front matter).")
@click.option(
    "--language", type=click.Choice(["fr", "en"]), help="Else front matter, else detected."
)
@click.option("--skill", help="Skill the documents serve (program modules).")
def ingest(
    paths: tuple[Path, ...],
    org_slug: str,
    kind: str | None,
    language: str | None,
    skill: str | None,
) -> None:
    settings = _settings()
    files = _expand(paths)
    declared = pipeline.Declared(kind=kind, language=language, skill=skill)
    knowledge_base = build_knowledge(settings)
    owned = knowledge_base.try_own()
    if not owned:
        click.echo(
            "A server owns this data directory: the documents are queued and its worker indexes "
            "them (follow with `interlude knowledge list`)."
        )

    async def work(sessions: async_sessionmaker[AsyncSession]) -> Counter[str]:
        org = await _organization(sessions, org_slug)
        counts: Counter[str] = Counter()
        failures: list[str] = []
        with click.progressbar(
            files,
            label=f"{'Indexing' if owned else 'Queueing'} {len(files)} files",
            item_show_func=lambda f: f[1] if f else "",
        ) as bar:
            for path, name in bar:
                outcome, reason = await _ingest_one(
                    sessions,
                    knowledge_base if owned else None,
                    settings,
                    org.id,
                    path,
                    name,
                    declared,
                )
                counts[outcome] += 1
                if reason:
                    failures.append(f"  {name}: {reason}")
        for line in failures:
            click.echo(line, err=True)
        return counts

    try:
        counts = _run(settings, work)
    finally:
        knowledge_base.release()
    outcomes = ("added", "updated", "unchanged", "failed") + (() if owned else ("queued",))
    click.echo(", ".join(f"{counts[o]} {o}" for o in outcomes))
    if counts["failed"]:
        raise SystemExit(1)


async def _ingest_one(
    sessions: async_sessionmaker[AsyncSession],
    knowledge_base: KnowledgeStore | None,
    settings: Settings,
    organization_id: UUID,
    path: Path,
    name: str,
    declared: pipeline.Declared,
) -> tuple[str, str]:
    """One file in its own transaction: a failure never holds back the rest of the batch.

    Without a knowledge base (a server owns it), the file is stored for the server to index.
    """
    data = await asyncio.to_thread(path.read_bytes)
    async with sessions() as db, db.begin():
        if knowledge_base is None:
            try:
                stored = await pipeline.store(
                    db,
                    settings.uploads_dir,
                    organization_id=organization_id,
                    name=name,
                    data=data,
                    declared=declared,
                    max_bytes=settings.max_upload_bytes,
                )
            except pipeline.PayloadTooLarge as exc:
                return "failed", exc.message
            return ("unchanged" if stored.outcome == "unchanged" else "queued"), ""
        try:
            result = await pipeline.ingest(
                db,
                knowledge_base,
                settings.uploads_dir,
                organization_id=organization_id,
                name=name,
                data=data,
                declared=declared,
                max_bytes=settings.max_upload_bytes,
            )
        except pipeline.PayloadTooLarge as exc:
            return "failed", exc.message
        return result.outcome, result.document.error if result.outcome == "failed" else ""


@knowledge.command("list", help="Documents and their status.")
@ORG
def list_documents(org_slug: str) -> None:
    settings = _settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> list[Document]:
        org = await _organization(sessions, org_slug)
        async with sessions() as db:
            rows = await db.scalars(
                select(Document).where(Document.organization_id == org.id).order_by(Document.name)
            )
            return list(rows.all())

    for d in _run(settings, work):
        line = (
            f"{d.status.value:<10} v{d.version:<3} {d.chunk_count:>4} chunks  {d.kind:<15} {d.name}"
        )
        click.echo(line + (f"\n           {d.error}" if d.error else ""))


@knowledge.command("remove", help="Delete documents (by name or id) and their passages.")
@click.argument("names", nargs=-1, required=True)
@ORG
def remove(names: tuple[str, ...], org_slug: str) -> None:
    settings = _settings()
    knowledge_base = _owned_knowledge(
        settings, ", or delete through the API (DELETE /api/v1/knowledge/documents/{id})"
    )

    async def work(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
        org = await _organization(sessions, org_slug)
        missing = []
        for name in names:
            async with sessions() as db, db.begin():
                condition = Document.name == name
                with contextlib.suppress(ValueError):  # a name, not an id
                    condition = condition | (Document.id == UUID(name))
                document = await db.scalar(
                    select(Document).where(Document.organization_id == org.id, condition)
                )
                if document is None:
                    missing.append(name)
                    continue
                await pipeline.remove(db, knowledge_base, settings.uploads_dir, document)
        return missing

    try:
        missing = _run(settings, work)
    finally:
        knowledge_base.release()
    click.echo(f"{len(names) - len(missing)} removed.")
    if missing:
        raise click.ClickException("Not found: " + ", ".join(missing))


@knowledge.command("search", help="Search the organisation's passages.")
@click.argument("query")
@ORG
@click.option("--kind", "kinds", type=KINDS, multiple=True, help="Only these kinds (repeatable).")
@click.option("--skill", help="Only passages of this skill.")
@click.option("-k", "k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--mode", type=click.Choice(get_args(Mode)), default="hybrid")
def search(
    query: str, org_slug: str, kinds: tuple[str, ...], skill: str | None, k: int, mode: Mode
) -> None:
    settings = _settings()
    org = _run(settings, lambda sessions: _organization(sessions, org_slug))
    retriever = build_knowledge(settings).organization(str(org.id)).retriever()
    passages = retriever.search(
        query, k, kinds=[DocumentKind(x) for x in kinds], skill=skill, mode=mode
    )
    if not passages:
        click.echo("Nothing relevant found.")
    for rank, passage in enumerate(passages, start=1):
        chunk = passage.chunk
        click.echo(
            f"{rank}. [{chunk.kind.value}] {chunk.title}  ({chunk.document_name} "
            f"{chunk.start}-{chunk.end}, score {passage.score:.4f})"
        )
        click.echo(
            "   " + chunk.text[:300].replace("\n", " ") + ("…" if len(chunk.text) > 300 else "")
        )


@knowledge.command("reindex", help="Rebuild the indexes (after changing the embedding model).")
@ORG
def reindex(org_slug: str) -> None:
    settings = _settings()
    knowledge_base = _owned_knowledge(settings)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> Counter[str]:
        org = await _organization(sessions, org_slug)
        async with sessions() as db, db.begin():
            results = await pipeline.reindex_organization(
                db,
                knowledge_base,
                settings.uploads_dir,
                org.id,
                max_bytes=settings.max_upload_bytes,
                progress=lambda d: click.echo(f"  {d.name}"),
            )
        return Counter(r.outcome for r in results)

    try:
        counts = _run(settings, work)
    finally:
        knowledge_base.release()
    click.echo(f"Re-indexed: {counts['added']} documents, {counts['failed']} failed.")
