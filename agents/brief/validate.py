"""What a brief must satisfy, whoever wrote it (model or composer).

Problems are short English sentences: they go into the run record and, once, back to the
model as a repair request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agents.brief.state import (
    CITING_SECTIONS,
    MAX_POINT_CHARS,
    MAX_POINTS,
    MIN_POINT_CHARS,
    SECTIONS,
    BriefPoint,
    BriefRequest,
    Evidence,
    Points,
    distinct,
    label_evidence,
)
from agents.structured import load_json_object
from knowledge.language import LANGUAGE_NAMES, detect_language

_POINT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "evidence": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["text", "evidence"],
}
# The JSON a model is asked for. Evidence is cited by label (E1...), never by id.
BRIEF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        name: {"type": "array", "maxItems": MAX_POINTS, "items": _POINT} for name in SECTIONS
    },
    "required": list(SECTIONS),
}


def parse_brief(raw: str) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """The sections of a model's JSON answer, or the reasons it is not a brief."""
    data, problems = load_json_object(raw, "a JSON object with the four sections")
    if problems:
        return {}, problems
    sections: dict[str, list[dict[str, Any]]] = {}
    for name in SECTIONS:
        entries = data.get(name)
        if not isinstance(entries, list):
            problems.append(f'the JSON has no "{name}" list')
        elif not all(isinstance(entry, dict) for entry in entries):
            problems.append(f'every entry of "{name}" must be an object')
        else:
            sections[name] = entries
    return sections, problems


def to_points(
    sections: Mapping[str, Sequence[dict[str, Any]]], labels: Mapping[str, Evidence]
) -> tuple[Points, list[str]]:
    """Model points with their labels mapped back to evidence ids; unknown labels are problems."""
    points: Points = {name: [] for name in SECTIONS}
    problems: list[str] = []
    for name in SECTIONS:
        for index, raw in enumerate(sections.get(name, ()), start=1):
            where = f"{name} point {index}"
            text, cited = raw.get("text"), raw.get("evidence", [])
            if not isinstance(text, str):
                problems.append(f"{where}: text must be a string")
                continue
            if not isinstance(cited, list) or not all(isinstance(x, str) for x in cited):
                problems.append(f"{where}: evidence must be a list of labels like E1")
                continue
            unknown = [label for label in cited if label not in labels]
            if unknown:
                problems.append(
                    f"{where}: cites {', '.join(unknown)}, which is not among the evidence given"
                )
                continue
            ids = tuple(dict.fromkeys(labels[label].id for label in cited))
            points[name].append(BriefPoint(" ".join(text.split()), ids))
    return points, problems


def brief_problems(points: Points, request: BriefRequest) -> list[str]:
    """Everything wrong with a brief; an empty list means the coach may read it."""
    problems: list[str] = []
    known = {item.id for item in request.evidence}
    for name in SECTIONS:
        section = points.get(name, [])
        if len(section) > MAX_POINTS:
            problems.append(f"{name} has {len(section)} points; give at most {MAX_POINTS}")
        for index, point in enumerate(section, start=1):
            where = f"{name} point {index}"
            if not MIN_POINT_CHARS <= len(point.text) <= MAX_POINT_CHARS:
                problems.append(
                    f"{where} has {len(point.text)} characters; "
                    f"write {MIN_POINT_CHARS} to {MAX_POINT_CHARS}"
                )
            if set(point.evidence_ids) - known:
                problems.append(f"{where} cites evidence that was not given")
            if name in CITING_SECTIONS and known and not point.evidence_ids:
                problems.append(f"{where}: cite at least one piece of evidence")
    expected = min(len(distinct(request.agreed_actions)), MAX_POINTS)
    if len(points.get("progress", [])) != expected:
        problems.append(
            f"progress has {len(points.get('progress', []))} points; "
            f"give one per agreed action ({expected})"
        )
    problems.extend(_answer_problems(points.get("answers", []), request))
    problems.extend(_language_problems(points, request.language))
    return problems


def _answer_problems(answers: Sequence[BriefPoint], request: BriefRequest) -> list[str]:
    """Answers points cite answers only, and the latest answers are all cited: an answer left
    out of the brief is an answer the coach never hears of."""
    label_of = {item.id: label for label, item in label_evidence(request.evidence).items()}
    answer_ids = [item.id for item in request.evidence if item.kind == "answer"]
    problems = [
        f"answers point {index} cites something other than an answer"
        for index, point in enumerate(answers, start=1)
        if set(point.evidence_ids) - set(answer_ids)
    ]
    cited = {evidence_id for point in answers for evidence_id in point.evidence_ids}
    missing = [label_of[i] for i in answer_ids[-MAX_POINTS:] if i not in cited]
    if missing:
        problems.append(f"answers must cite every answer among the latest: {', '.join(missing)}")
    return problems


def _language_problems(points: Points, language: str) -> list[str]:
    if language not in LANGUAGE_NAMES:
        return []
    # The whole brief is judged at once: a single short point is too little to vote on.
    text = " ".join(point.text for section in points.values() for point in section)
    if text and detect_language(text, default=language) != language:
        return [f"the brief must be written in {LANGUAGE_NAMES[language]}"]
    return []
