"""`python -m evals bench overhead`, `openai`, `throughput`, `scale`, `safety`, `announce`,
`metrics` and `tracing` run end to end with tiny parameters and write their reports, if any
(into a temporary folder, never evals/reports/bench). Smoke tests: the figures themselves are
judged by running the benchmarks, not here."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from evals.cli import main
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES


def _postgres_answers() -> bool:
    url = make_url(POSTGRES_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    chosen = request.config.getoption("--db")
    if chosen not in ("all", request.param):
        pytest.skip(f"--db {chosen}")
    if request.param == "postgresql" and not _postgres_answers():
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL unreachable at {POSTGRES_URL} (INTERLUDE_REQUIRE_POSTGRES=1)")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}")
    return str(request.param)


def _run(args: list[str], database: str, reports: Path) -> str:
    common = ["--database", database, "--postgres-url", POSTGRES_URL, "--reports", str(reports)]
    result = CliRunner().invoke(main, ["bench", *args, *common])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def _report(reports: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((reports / f"{name}.json").read_text())
    assert document["name"] == name
    return document


def test_overhead_measures_around_the_fake_model(database: str, tmp_path: Path) -> None:
    args = ["overhead", "--turns", "4", "--warmup", "1", "--delay-ms", "30"]
    output = _run(args, database, tmp_path)
    metrics = _report(tmp_path, f"overhead-{database}")["metrics"]
    for name in ("overhead", "first_byte_after_first_token", "direct", "stack"):
        for stat in ("p50_ms", "p95_ms", "p99_ms"):
            assert metrics[f"{name}.{stat}"] >= 0, name
    # The direct call is the model's delay; through the stack it takes at least as long.
    assert 30 <= metrics["direct.p50_ms"] < 100
    assert metrics["stack.p50_ms"] >= metrics["direct.p50_ms"]
    assert "target overhead p95" in output

    again = _run(args, database, tmp_path)  # compared with the run just written
    assert f"overhead-{database} vs " in again


def test_openai_bench_times_both_endpoints_on_the_same_turns(database: str, tmp_path: Path) -> None:
    args = ["openai", "--turns", "4", "--warmup", "1", "--delay-ms", "30"]
    output = _run(args, database, tmp_path)
    metrics = _report(tmp_path, f"openai-overhead-{database}")["metrics"]
    for mode in ("streamed", "whole"):
        for side in ("native", "openai"):
            assert metrics[f"{mode}.{side}.p50_ms"] >= 30  # the model's delay, at least
        assert f"{mode}.overhead.p95_ms" in metrics
    assert "target streamed OpenAI-compatible overhead p95" in output


def test_throughput_counts_turns_and_errors(database: str, tmp_path: Path) -> None:
    _run(["throughput", "--learners", "3", "--seconds", "2"], database, tmp_path)
    document = _report(tmp_path, f"throughput-{database}")
    metrics = document["metrics"]
    assert document["parameters"]["learners"] == 3
    assert metrics["errors"] == 0
    assert metrics["turns"] >= 1
    assert metrics["turns_per_s"] > 0
    for stat in ("p50_ms", "p95_ms", "p99_ms"):
        assert metrics[f"latency.{stat}"] > 0


def test_safety_bench_measures_the_guard(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["bench", "safety", "--passes", "1", "--reports", str(tmp_path)]
    )
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    metrics = _report(tmp_path, "safety")["metrics"]
    assert 0 < metrics["message_cpu_p50_ms"] <= metrics["message_cpu_p95_ms"]
    assert 0 < metrics["message_wall_p50_ms"] <= metrics["message_wall_p95_ms"]
    assert metrics["with_history_cpu_p95_ms"] > 0
    assert metrics["training_cpu_s"] > 0


def test_announce_marks_every_item_and_queues_one_e_mail_per_learner(
    database: str, tmp_path: Path
) -> None:
    _run(["announce", "--learners", "30"], database, tmp_path)
    metrics = _report(tmp_path, f"announce-{database}")["metrics"]
    assert metrics["emails"] == 30  # one per learner, for their 5 items
    assert metrics["seconds"] > 0


def test_metrics_bench_times_the_middleware_with_and_without_them() -> None:
    result = CliRunner().invoke(main, ["bench", "metrics", "--requests", "50", "--rounds", "1"])
    assert result.exit_code == 0, result.output
    assert "the metrics' cost" in result.output
    assert "Scrape of 200 series" in result.output


def test_scale_runs_each_process_count_on_one_pgvector_database(
    pgvector_server_url: str, tmp_path: Path
) -> None:
    args = ["scale", "--workers", "1,2", "--learners", "2", "--seconds", "2"]
    extra = ["--pgvector-url", pgvector_server_url, "--reports", str(tmp_path)]
    result = CliRunner().invoke(main, ["bench", *args, *extra])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    metrics = _report(tmp_path, "scale-postgresql")["metrics"]
    for count in (1, 2):
        assert metrics[f"workers_{count}.errors"] == 0
        assert metrics[f"workers_{count}.turns_per_s"] > 0
    assert metrics["ratio_2_to_1"] > 0
    assert "target 2 processes ≥ 1.5 times 1, 0 errors" in result.output
    # What each side's CPU did, for the per-turn costs of the capacity model.
    for side in ("server", "client", "postgres"):
        assert metrics[f"workers_1.{side}_cpu_cores_busy"] > 0


def test_jobs_bench_times_1_then_2_workers_and_the_recovery_after_a_kill(
    pgvector_server_url: str, tmp_path: Path
) -> None:
    args = ["jobs", "--jobs", "20", "--lease-seconds", "4"]
    extra = ["--pgvector-url", pgvector_server_url, "--reports", str(tmp_path)]
    result = CliRunner().invoke(main, ["bench", *args, *extra])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    report = _report(tmp_path, "jobs-postgresql")
    metrics = report["metrics"]
    for count in (1, 2):
        assert metrics[f"workers_{count}.plans_per_min"] > 0
        # Each worker's own /metrics counted what it did: every job, once.
        assert metrics[f"workers_{count}.plans_counted_by_workers"] == 20
        assert metrics[f"workers_{count}.workers_cpu_s_per_plan"] > 0
        assert metrics[f"workers_{count}.postgres_cpu_s_per_plan"] > 0
    assert metrics["kill.orphans"] >= 2
    assert metrics["kill.recovery_s"] > 0
    assert report["parameters"]["lease_seconds"] == 4
    assert "recovery after SIGKILL" in result.output


def test_tracing_bench_times_the_request_span_and_a_no_op_span() -> None:
    result = CliRunner().invoke(main, ["bench", "tracing", "--requests", "50", "--rounds", "1"])
    assert result.exit_code == 0, result.output
    assert "the request span's cost (tracing on)" in result.output
    assert "off (no-op tracer)" in result.output
