"""The question drafted from a goal reads well for an action and for a topic, in French and
English: "Public speaking" once gave EN_ACTION + "public speaking?"."""

from __future__ import annotations

import pytest

from app.domain.companions.question import draft_question

EN_TOPIC = "What have you noticed about me lately when it comes to "
EN_ACTION = "What did you notice when I tried to "
FR_TOPIC = "Qu'avez-vous observé chez moi ces dernières semaines en matière "
FR_ACTION = "Qu'avez-vous observé lorsque j'ai essayé "


@pytest.mark.parametrize(
    ("goal", "language", "question"),
    [
        # English topics (noun phrases), including ones whose first word could be a verb.
        ("Public speaking", "en", EN_TOPIC + "public speaking?"),
        ("Conflict management", "en", EN_TOPIC + "conflict management?"),
        ("Delegation.", "en", EN_TOPIC + "delegation?"),
        ("Giving feedback", "en", EN_TOPIC + "giving feedback?"),
        ("AI literacy", "en", EN_TOPIC + "AI literacy?"),
        # English actions.
        ("Listen more", "en", EN_ACTION + "listen more?"),
        ("To say no", "en", EN_ACTION + "say no?"),
        ("Stop interrupting", "en", EN_ACTION + "stop interrupting?"),
        ("I want to delegate more", "en", EN_ACTION + "delegate more?"),
        ("Improve my time management", "en", EN_ACTION + "improve my time management?"),
        # French topics.
        ("Prise de parole en public", "fr", FR_TOPIC + "de prise de parole en public ?"),
        ("Écoute active", "fr", FR_TOPIC + "d'écoute active ?"),
        ("La gestion des conflits", "fr", FR_TOPIC + "de gestion des conflits ?"),
        # French actions.
        ("Oser dire non en réunion", "fr", FR_ACTION + "d'oser dire non en réunion ?"),
        ("Déléguer davantage", "fr", FR_ACTION + "de déléguer davantage ?"),
        ("Je veux déléguer", "fr", FR_ACTION + "de déléguer ?"),
        ("Être capable d'écouter", "fr", FR_ACTION + "d'écouter ?"),
    ],
)
def test_a_goal_becomes_a_question_that_reads_well(goal: str, language: str, question: str) -> None:
    assert draft_question(goal, language) == question


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_goal_gives_a_general_question(language: str) -> None:
    assert draft_question("  ", language).endswith("?")
