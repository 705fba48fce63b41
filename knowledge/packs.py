"""Sample knowledge packs (knowledge/packs/<slug>/): an organisation's documents, its program
and its question bank, as plain data for whoever loads them (the demo, the benchmarks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.loaders import SUPPORTED, load_document

PACKS_DIR = Path(__file__).parent / "packs"
_QUESTION = re.compile(r"^\s*[-*]\s+(.+?)\s*$")


@dataclass(frozen=True, slots=True)
class ModuleSpec:
    title: str
    skill: str
    position: int
    reflection_prompts: list[str]


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    skill: str
    scale: str  # company | team
    text: str


@dataclass(frozen=True, slots=True)
class Pack:
    slug: str
    name: str
    default_language: str
    program_name: str
    program_description: str
    files: dict[str, bytes] = field(default_factory=dict)  # name relative to the pack -> bytes
    modules: list[ModuleSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)


def read_pack(path: Path) -> Pack:
    meta: dict[str, Any] = yaml.safe_load((path / "pack.yaml").read_text(encoding="utf-8"))
    files = {
        str(file.relative_to(path)): file.read_bytes()
        for file in sorted(path.rglob("*"))
        if file.is_file() and file.suffix.lower() in SUPPORTED
    }
    modules: list[ModuleSpec] = []
    questions: list[QuestionSpec] = []
    for name, data in files.items():
        document = load_document(name, data)
        if document.kind.value == "program_module":
            modules.append(
                ModuleSpec(
                    title=document.title,
                    skill=document.skill,
                    position=int(str(document.extra.get("position", len(modules) + 1))),
                    reflection_prompts=_strings(document.extra.get("reflection_prompts")),
                )
            )
        elif document.kind.value == "question_bank":
            questions += parse_question_bank(document.text)
    return Pack(
        slug=str(meta["slug"]),
        name=str(meta["name"]),
        default_language=str(meta["default_language"]),
        program_name=str(meta["program_name"]),
        program_description=str(meta.get("program_description", "")).strip(),
        files=files,
        modules=sorted(modules, key=lambda m: m.position),
        questions=questions,
    )


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def parse_question_bank(text: str) -> list[QuestionSpec]:
    """`## <skill>`, then `### company` / `### team`, then one `- question?` per line."""
    questions: list[QuestionSpec] = []
    skill = scale = ""
    for line in text.splitlines():
        if line.startswith("## "):
            skill, scale = line[3:].strip(), ""
        elif line.startswith("### "):
            heading = line[4:].strip().lower()
            scale = heading if heading in ("company", "team") else ""
        elif skill and scale and (match := _QUESTION.match(line)):
            questions.append(QuestionSpec(skill=skill, scale=scale, text=match.group(1)))
    return questions
