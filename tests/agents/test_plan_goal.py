"""How the plan reads a goal: its direction, and the goal as a clause addressed to the learner."""

from __future__ import annotations

import pytest

from agents.plan.goal import fits, goal_clause, goal_direction, leans, with_de


@pytest.mark.parametrize(
    ("goal", "direction"),
    [
        ("Donner des retours plus directs à mon équipe sans la blesser.", "give"),
        ("Réussir à dire à Marc qu'il saute le contrôle de la première pièce.", "give"),
        ("Tell my manager that the deadlines are unrealistic.", "give"),
        ("Accueillir les critiques des designers sans me sentir attaqué.", "receive"),
        ("Demander à mon équipe ce que je pourrais améliorer.", "receive"),
        ("Stop getting defensive when my pull requests are criticised.", "receive"),
        ("Mieux se comprendre entre commerciaux et atelier.", "both"),
        ("Clear the air between Field Operations and the platform squad.", "both"),
        ("Oser dire à un client que le modèle n'est pas fiable.", "other"),
        ("Garder mon calme pendant le rush de juillet.", "other"),
        ("Ne plus prendre mal les remarques de mon chef.", "receive"),
        ("Be more open to feedback from juniors.", "receive"),
        ("Exprimer mon désaccord à ma directrice.", "give"),
        ("Praise my team more specifically.", "give"),
    ],
)
def test_the_direction_of_a_goal(goal: str, direction: str) -> None:
    assert goal_direction(goal) == direction


@pytest.mark.parametrize(
    ("goal", "language", "clause"),
    [
        (
            "Arrêter de me braquer quand l'atelier critique mes plans.",
            "fr",
            "arrêter de vous braquer quand l'atelier critique vos plans",
        ),
        ("Réussir à dire à Marc ce que je pense.", "fr", "dire à Marc ce que vous pensez"),
        ("M'affirmer face à mon chef", "fr", "vous affirmer face à votre chef"),
        (
            "Give feedback to the technicians I'm training.",
            "en",
            "give feedback to the technicians you're training",
        ),
        ("Ask my team what I should change.", "en", "ask your team what you should change"),
        # Not an infinitive phrase: no clause; the plan quotes the goal instead.
        ("Plus de confiance en réunion", "fr", None),
        ("More confidence in meetings", "en", None),
        ("Je veux que l'on m'écoute", "fr", None),
    ],
)
def test_the_goal_as_a_clause_addressed_to_the_learner(
    goal: str, language: str, clause: str | None
) -> None:
    assert goal_clause(goal, language) == clause


def test_questions_that_pull_a_goal_the_other_way_do_not_fit_it() -> None:
    receiving = "Comment votre manière de recevoir une critique influence-t-elle vos collègues ?"
    assert leans(receiving) == {"receive"}
    assert not fits(receiving, "give")
    assert fits(receiving, "receive")
    assert fits(receiving, "other")
    assert not fits("What feedback are you holding back, and what stops you giving it?", "receive")
    assert with_de("écouter votre équipe") == "d'écouter votre équipe"
    assert with_de("dire à Marc") == "de dire à Marc"
