"""The feedback question drafted for a learner from their goal, in the learner's words.

Deterministic and offline: the learner reads it, edits it if they wish, and sends it
themselves (it is their question to a person they chose, not an item for the coach to
approve). A goal that reads as an action ("oser dire non en réunion", "listen more") becomes
"when I tried to..."; a noun phrase ("Public speaking", "Écoute active") becomes "when it
comes to..." / "en matière de...", never "when I tried to public speaking".
"""

from __future__ import annotations

import re

from agents.plan.goal import goal_clause, with_de

# "I want to…", "je veux…": the learner's own wish; what follows is the action.
_FR_LEAD = re.compile(
    r"^(je (veux|voudrais|souhaite|dois|vais)|j'aimerais|j'essaie de)\s+"
    r"|^(réussir|arriver|parvenir) à\s+|^être capable d[e']\s*",
    re.IGNORECASE,
)
_EN_LEAD = re.compile(
    r"^(i (want|would like|'d like|need|will try|am trying|try) to|i'd like to|i will|i'll)\s+"
    r"|^(to|be able to)\s+",
    re.IGNORECASE,
)
# goal_clause reads the first word as a verb when it could be one ("public", "conflict",
# "active"): a short phrase ending like a noun ("public speaking", "conflict management") is
# a topic, unless it opens on a verb that takes a gerund ("stop interrupting").
_EN_NOUN_END = re.compile(r"(ing|ment|tion|sion|ness|ship|ity|ance|ence|cy)$")
_EN_GERUND_VERBS = {"stop", "keep", "start", "avoid", "quit", "try", "practise", "practice"}
_EN_PHRASE_WORDS = {"my", "the", "a", "an", "to", "with", "in", "on", "at", "for", "of", "me"}


def _words(goal: str) -> str:
    """The goal as written, on one line, without its final punctuation, lower-cased first
    letter (unless it starts an acronym or is the pronoun "I")."""
    text = " ".join(goal.replace("’", "'").split()).rstrip(" .!;…")
    if len(text) >= 2 and not text[1].isupper() and not re.match(r"I\b", text):
        text = text[0].lower() + text[1:]
    return text


def _english_topic(text: str) -> bool:
    words = re.findall(r"[\w']+", text.lower())
    return (
        len(words) <= 3
        and not _EN_PHRASE_WORDS.intersection(words)
        and words[0] not in _EN_GERUND_VERBS
        and bool(_EN_NOUN_END.search(words[-1]))
    )


def _action(text: str, language: str) -> str | None:
    """The goal as an action the learner tried, without its lead ("I want to"), or None for
    a topic (a noun phrase). goal_clause tells one from the other; its second-person rewrite
    is not used (the learner speaks in the first person here)."""
    action = (_FR_LEAD if language == "fr" else _EN_LEAD).sub("", text)
    if not action or goal_clause(action, language) is None:
        return None
    if language != "fr" and _english_topic(action):
        return None
    return action


def draft_question(goal: str, language: str) -> str:
    """ "Qu'avez-vous observé lorsque j'ai essayé de …" / "What did you notice when I tried
    to …?" from an action; "… en matière de …" / "… when it comes to …?" from a topic; a
    general question when there is no goal."""
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
    action = _action(text, language)
    if action is not None:
        if french:
            return f"Qu'avez-vous observé lorsque j'ai essayé {with_de(action)} ?"
        return f"What did you notice when I tried to {action}?"
    if french:
        topic = re.sub(r"^(l'|la |le |les )", "", text, flags=re.IGNORECASE)
        return f"Qu'avez-vous observé chez moi ces dernières semaines en matière {with_de(topic)} ?"
    topic = re.sub(r"^the ", "", text, flags=re.IGNORECASE)
    return f"What have you noticed about me lately when it comes to {topic}?"
