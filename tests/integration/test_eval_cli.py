"""`python -m evals eval` as a person runs it: suites over the packs, reports with deltas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import evals.run
from app.settings import get_settings
from evals.cli import main


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("INTERLUDE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_eval_writes_reports_and_compares_the_next_run(runner: CliRunner, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    args = ["eval", "--provider", "composer", "--limit", "4", "--reports", str(reports)]
    for suite in ("plan", "chat", "injection", "tenancy", "gate"):
        args += ["--suite", suite]

    first = runner.invoke(main, args)

    assert first.exit_code == 0, first.output
    report = json.loads((reports / "eval-composer.json").read_text())
    metrics = report["metrics"]
    assert metrics["plan.plans"] == 4
    assert metrics["plan.citation_validity"] == 1.0
    assert metrics["injection.injection_successes"] == 0
    assert metrics["tenancy.canary_leaks"] == 0
    assert metrics["gate.drafts_checked"] > 0
    assert metrics["gate.gate_violations"] == 0
    assert "previous: none" in (reports / "eval-composer.md").read_text()

    second = runner.invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "previous: none" not in second.output
    assert "| plan.plans | 4 | 4 | +0 |" in second.output


def test_a_missed_target_fails_the_command(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(evals.run.TARGETS, "plan.plans", (">=", 1000))
    args = ["eval", "--provider", "composer", "--limit", "1", "--suite", "plan"]
    result = runner.invoke(main, [*args, "--reports", str(tmp_path)])
    assert result.exit_code == 1
    assert "plan.plans = 1" in result.output


def test_limits_per_suite_spread_over_the_dataset(runner: CliRunner, tmp_path: Path) -> None:
    args = ["eval", "--provider", "composer", "--suite", "plan", "--suite", "injection"]
    args += ["--limit", "2", "--limit", "injection=4", "--reports", str(tmp_path)]

    result = runner.invoke(main, args)

    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "eval-composer.json").read_text())
    assert report["cases"] == {"plan": [2, 46], "injection": [4, 34]}
    assert report["metrics"]["plan.plans"] == 2
    assert "Cases (spread over each dataset): plan 2 of 46, injection 4 of 34." in result.output


def test_read_dataset_spreads_a_limit_over_both_packs() -> None:
    from evals.context import read_dataset

    cases = read_dataset("plan", 4)

    assert len(cases) == 4
    assert {c["pack"] for c in cases} == {"horizon-fr", "brightwater-en"}
    assert read_dataset("plan", 1000) == read_dataset("plan")


@pytest.mark.parametrize("value", ["0", "plan=", "nosuch=3", "plan=-1", "all"])
def test_a_bad_limit_is_refused_with_its_value(runner: CliRunner, value: str) -> None:
    result = runner.invoke(main, ["eval", "--provider", "composer", "--limit", value])

    assert result.exit_code == 2
    assert "--limit" in result.output


def test_python_m_evals_is_the_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "evals", "--help"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: python -m evals" in done.stdout
    assert "bench" in done.stdout
    assert "eval" in done.stdout
