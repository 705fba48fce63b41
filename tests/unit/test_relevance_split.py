"""The relevance test split is frozen: its files match the hashes committed beside them, and
its labels name passages and skills that exist in the packs."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from agents.safety.rules import normalise

ROOT = Path(__file__).resolve().parents[2]
PACKS = ROOT / "knowledge" / "packs"
SPLITS = ("relevance", "relevance-dev", "relevance-train")


def test_the_test_split_matches_its_committed_hashes() -> None:
    folder = ROOT / "evals" / "datasets" / "relevance"
    for line in (folder / "test.sha256").read_text().splitlines():
        expected, name = line.split()
        actual = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert actual == expected, f"{name} changed: the test split is frozen"


def _headings(path: Path) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#+\s+(.+)$", path.read_text(), re.M)}


def _skills(pack: str) -> set[str]:
    found = set()
    for module in (PACKS / pack / "program").glob("*.md"):
        if match := re.search(r"^skill:\s*(.+)$", module.read_text(), re.M):
            found.add(match.group(1).strip())
    return found


@pytest.mark.parametrize("split", SPLITS)
def test_labels_name_real_passages_and_skills(split: str) -> None:
    folder = ROOT / "evals" / "datasets" / split
    for name, passages_field in (("chat", "acceptable_passages"), ("sessions", None)):
        if not (folder / f"{name}.jsonl").exists():
            continue  # relevance-train has no sessions
        for line in (folder / f"{name}.jsonl").read_text().splitlines():
            case = json.loads(line)
            field = passages_field or "acceptable_company_passages"
            for passage in case[field]:
                path = PACKS / case["pack"] / passage["doc"]
                assert passage["heading"] in _headings(path), (case["id"], passage)
            skills = case.get("acceptable_skills", case.get("focus_skills", []))
            assert set(skills) <= _skills(case["pack"]), case["id"]


def test_no_tuning_message_is_in_the_test_split() -> None:
    def messages(split: str) -> set[str]:
        lines = (ROOT / "evals" / "datasets" / split / "chat.jsonl").read_text().splitlines()
        return {json.loads(line)["message"] for line in lines}

    assert not messages("relevance") & messages("relevance-dev")
    assert not messages("relevance") & messages("relevance-train")
    assert not messages("relevance-dev") & messages("relevance-train")


def test_the_test_split_stays_out_of_the_safety_guards_corpus() -> None:
    """Since 2026-12-07 the dev and train messages teach the guard what ordinary coaching looks
    like (origins dev-relevance-dev, dev-relevance-train); the test split's must stay out, to
    measure the guard on coaching it never saw."""

    def normalised(path: Path, field: str) -> set[str]:
        return {normalise(json.loads(line)[field]) for line in path.read_text().splitlines()}

    corpus = normalised(ROOT / "agents" / "safety" / "corpus.jsonl", "text")
    test = normalised(ROOT / "evals" / "datasets" / "relevance" / "chat.jsonl", "message")
    dev = normalised(ROOT / "evals" / "datasets" / "relevance-dev" / "chat.jsonl", "message")
    assert not corpus & test
    assert dev <= corpus
