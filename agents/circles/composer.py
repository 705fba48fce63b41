"""What the agent drafts for a peer circle, deterministically and offline: clarifying
questions from the presenter's situation, and the session's synthesis.

Both are drafts for the facilitator, who approves, edits or rejects them before the circle
sees anything (the gate is in app/domain/circles). Nothing here invents content: the
questions come from the situation's own words (`agents.themes.heard_phrase`), the skill the
situation calls for (`agents.themes.heard_skills` over the program's skills), the
organisation's question bank for that skill, and the open forms co-development uses for
clarifying questions (facts, people, what was tried, what is at stake); the synthesis only
gathers what members wrote, step by step, each attributed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.themes import heard_phrase, heard_skills

MAX_QUESTIONS = 5

# Clarifying questions in co-development ask for facts, not solutions: who, what, since when,
# what was tried, what matters. One per line; the facilitator keeps what fits.
_OPEN = {
    "fr": (
        "Qui sont les personnes concernées, et quel est votre rôle auprès d'elles ?",
        "Depuis quand la situation dure-t-elle, et qu'est-ce qui l'a rendue pressante ?",
        "Qu'avez-vous déjà essayé, et qu'est-ce que cela a donné ?",
        "Qu'est-ce qui serait, pour vous, une issue satisfaisante ?",
    ),
    "en": (
        "Who are the people involved, and what is your role with them?",
        "How long has this been going on, and what made it pressing now?",
        "What have you tried already, and what came of it?",
        "What would a satisfying outcome look like for you?",
    ),
}
_PHRASE = {
    "fr": "Quand vous dites « {phrase} », que s'est-il passé concrètement ?",
    "en": 'When you say "{phrase}", what happened, concretely?',
}
_SKILL = {
    "fr": "En quoi cette situation touche-t-elle à « {skill} », "
    "la compétence que vous travaillez ?",
    "en": 'How does this situation touch on "{skill}", the skill you are working on?',
}


def clarifying_questions(
    situation: str,
    language: str,
    *,
    skills: Sequence[str] = (),
    bank: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """Up to five questions for the presenter. `skills`: the program's skills; `bank`: the
    organisation's banked questions as (skill, text) in this language."""
    lang = "en" if language == "en" else "fr"
    heard = heard_skills(situation, skills)
    skill = heard[0] if heard else ""
    questions: list[str] = []
    phrase = heard_phrase(situation, skill) if skill else ""
    if phrase:
        questions.append(_PHRASE[lang].format(phrase=phrase.rstrip(" …")))
    questions.extend(_OPEN[lang][:2])
    if skill:
        banked = [text for bank_skill, text in bank if bank_skill == skill]
        questions.append(banked[0] if banked else _SKILL[lang].format(skill=skill))
    questions.extend(_OPEN[lang][2:])
    return list(dict.fromkeys(questions))[:MAX_QUESTIONS]


@dataclass(frozen=True, slots=True)
class Said:
    """One contribution: the step's key, who wrote it (a first name), what they wrote."""

    step: str
    author: str
    text: str


_HEADINGS = {
    "fr": {
        "situation": "La situation présentée",
        "questions": "Les questions de clarification",
        "request": "La demande",
        "suggestions": "Les suggestions",
        "plan": "Le plan d'action",
        "lessons": "Les apprentissages",
    },
    "en": {
        "situation": "The situation presented",
        "questions": "The clarifying questions",
        "request": "The request",
        "suggestions": "The suggestions",
        "plan": "The action plan",
        "lessons": "The lessons",
    },
}
_TITLE = {"fr": "Synthèse de la séance de {presenter}", "en": "Synthesis of {presenter}'s session"}
_NOTHING = {"fr": "(rien d'écrit à cette étape)", "en": "(nothing written at this step)"}


def synthesis(said: Sequence[Said], language: str, *, presenter: str, steps: Sequence[str]) -> str:
    """The session step by step, each line attributed; only what members wrote."""
    lang = "en" if language == "en" else "fr"
    lines = [_TITLE[lang].format(presenter=presenter)]
    for step in steps:
        lines.append("")
        lines.append(_HEADINGS[lang][step])
        written = [s for s in said if s.step == step]
        lines.extend(
            f"- {s.author} : {s.text}" if lang == "fr" else f"- {s.author}: {s.text}"
            for s in written
        )
        if not written:
            lines.append(_NOTHING[lang])
    return "\n".join(lines)
