"""The feedback question drafted for a learner from their goal, in the learner's words.

Deterministic and offline: the learner reads it, edits it if they wish, and sends it
themselves (it is their question to a person they chose, not an item for the coach to
approve). A goal that reads as an action ("oser dire non en réunion") becomes "when I tried
to..."; any other goal (a noun phrase) is quoted as written.
"""

from __future__ import annotations

import re

from agents.plan.goal import goal_clause, with_de

_FR_LEAD = re.compile(r"^(réussir|arriver|parvenir) à\s+|^être capable d[e']\s*", re.IGNORECASE)
_EN_LEAD = re.compile(r"^(to|be able to)\s+", re.IGNORECASE)


def _words(goal: str) -> str:
    """The goal as written, on one line, without its final punctuation, lower-cased first
    letter (unless it starts an acronym)."""
    text = " ".join(goal.replace("’", "'").split()).rstrip(" .!;…")
    if len(text) >= 2 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def draft_question(goal: str, language: str) -> str:
    """ "Qu'avez-vous observé lorsque j'ai essayé de …" / "What did you notice when I tried
    to …?" from the goal; a general question when there is no goal."""
    text = _words(goal)
    french = language == "fr"
    if not text:
        return (
            "Qu'avez-vous observé de ma façon de faire ces dernières semaines, et qu'est-ce "
            "que cela a changé pour vous ?"
            if french
            else "What have you noticed about how I work these last weeks, and what did it "
            "change for you?"
        )
    # goal_clause tells an action from a noun phrase; its second-person rewrite is not used
    # (the learner speaks in the first person here).
    if goal_clause(text, language) is not None:
        if french:
            action = _FR_LEAD.sub("", text)
            return f"Qu'avez-vous observé lorsque j'ai essayé {with_de(action)} ?"
        return f"What did you notice when I tried to {_EN_LEAD.sub('', text)}?"
    if french:
        return f"Qu'avez-vous observé de ma façon de faire sur « {text} » ces dernières semaines ?"
    return f'What have you noticed lately about how I do with "{text}"?'
