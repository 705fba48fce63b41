"""`python -m evals reader-safety` end to end on a small corpus (the real one takes minutes)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from agents.safety.guard import CLASSES, CORPUS_PATH
from evals.cli import main


def _small_corpus(tmp_path: Path, labels: tuple[str, ...]) -> tuple[Path, int]:
    rows = [json.loads(line) for line in CORPUS_PATH.read_text(encoding="utf-8").splitlines()]
    small = [row for label in labels for row in [r for r in rows if r["label"] == label][:10]]
    for i, row in enumerate(small):
        row["origin"] = f"writer-{i % 5}"  # five writers, one per fold
    # Unusual harmless text: trained on, never a bar (counted apart in the report).
    small += [
        {
            "text": f"JIRA-48{i} status: done",
            "language": "en",
            "label": "none",
            "origin": f"unusual-ud-{i}",
        }
        for i in range(1, 4)
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in small))
    return corpus, len(small) - 3


def test_reader_safety_prints_recall_at_false_alerts_and_writes_its_report(
    tmp_path: Path,
) -> None:
    corpus, messages = _small_corpus(tmp_path, CLASSES)
    reports = tmp_path / "reports"

    result = CliRunner().invoke(
        main, ["reader-safety", "--corpus", str(corpus), "--reports", str(reports)]
    )

    assert result.exit_code == 0, result.output
    assert "fold 5 of 5" in result.output
    assert "urgent_recall_at_0.005" in result.output
    report = json.loads((reports / "reader.json").read_text())
    assert report["parameters"]["messages"] == messages
    assert report["parameters"]["unusual_texts_trained_on"] == 3
    assert report["parameters"]["fold_by"] == "writer (origin)"
    assert set(report["metrics"]) == {
        f"{kind}_recall_at_{share}"
        for kind, shares in (
            ("harmful", ("0.01", "0.02", "0.03")),
            ("urgent", ("0.005", "0.01", "0.02")),
        )
        for share in shares
    }
    assert all(0 <= value <= 1 for value in report["metrics"].values())


def test_reader_safety_says_what_the_corpus_lacks(tmp_path: Path) -> None:
    corpus, _ = _small_corpus(tmp_path, ("none", "legal", "distress"))

    result = CliRunner().invoke(main, ["reader-safety", "--corpus", str(corpus)])

    assert result.exit_code == 1
    assert "needs ordinary, harmful and urgent messages" in result.output
