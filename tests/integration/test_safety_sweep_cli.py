"""`python -m evals sweep-safety` end to end on a small corpus (the real one takes minutes)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from agents.safety.guard import CLASSES, CORPUS_PATH
from evals.cli import main


def test_sweep_safety_prints_the_choice_and_writes_its_report(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in CORPUS_PATH.read_text(encoding="utf-8").splitlines()]
    small = [row for label in CLASSES for row in [r for r in rows if r["label"] == label][:6]]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in small))
    reports = tmp_path / "reports"

    result = CliRunner().invoke(
        main, ["sweep-safety", "--corpus", str(corpus), "--reports", str(reports)]
    )

    assert result.exit_code == 0, result.output
    assert f"dev ({len(small)} messages" in result.output
    assert "urgent_recall" in result.output
    report = json.loads((reports / "sweep.json").read_text())
    assert report["name"] == "sweep"
    assert report["commit"]
    assert report["date"]
    assert report["parameters"]["messages"] == len(small)
    assert report["parameters"]["grid"]["urgent"] == [0.25, 0.95, 0.01]
    assert report["metrics"]["current.urgent_recall"] >= 0
