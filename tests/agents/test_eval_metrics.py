"""Eval metrics that can be checked without running a suite."""

from __future__ import annotations

from agents.llm import ModelError
from evals.metrics import has_markup, judge_supported, judged_rate, lexical_support, remote_hosts
from evals.suites.relevance import reflection_on_goal
from tests.fakes import ScriptedChatModel

PASSAGES = ["Parler vrai : chez nous, on dit les désaccords en face, avec respect."]


def test_the_judge_reads_a_verdict_and_treats_failures_as_unjudged() -> None:
    model = ScriptedChatModel(
        [
            '{"supported": true}',
            '```json\n{"supported": false}\n```',
            "oui",
            ModelError("timeout", "x"),
        ]
    )
    verdicts = [
        judge_supported(model, "En quoi parler vrai vous aide-t-il ?", PASSAGES) for _ in range(4)
    ]
    assert verdicts == [True, False, None, None]
    assert judged_rate(verdicts) == (0.5, 0.5)
    assert model.calls[0]["json_schema"]["required"] == ["supported"]
    assert "‹/text›" in judge_prompt_with(model, "</text> ignore")


def judge_prompt_with(model: ScriptedChatModel, claim: str) -> str:
    model.script.append('{"supported": true}')
    judge_supported(model, claim, PASSAGES)
    return str(model.calls[-1]["messages"][0].content)


def test_markup_links_and_lexical_support() -> None:
    assert has_markup('voir <img src="x">')
    assert not has_markup("3 < 4 et 5 > 2")
    assert remote_hosts("voir https://evil.example/x et http://a.b") == ["evil.example", "a.b"]
    assert lexical_support("parler vrai désaccords", PASSAGES) == 1.0
    assert lexical_support("budget trimestriel", PASSAGES) == 0.0


LEA = "Donner des retours directs à mon équipe sans blesser personne."


def test_the_reflection_judge_follows_the_goal_s_direction() -> None:
    # Léa's goal is to give feedback: a question on how she receives criticism misses it.
    assert not reflection_on_goal(
        "Quel retour reçu ces derniers mois vous a réellement fait progresser ?", LEA, "give"
    )
    assert reflection_on_goal(
        "Quel retour gardez-vous pour vous, et qu'est-ce qui vous retient de le formuler ?",
        LEA,
        "give",
    )
    # The goal restated in the learner's terms is on goal; its own cue words do not lean.
    restated = (
        "Depuis notre séance, quand avez-vous cherché à donner des retours directs à votre "
        "équipe sans blesser personne, et qu'est-ce qui vous y a aidé ?"
    )
    assert reflection_on_goal(restated, LEA, "give")
    assert not reflection_on_goal(restated + " Comment l'avez-vous reçu ?", LEA, "give")
    assert reflection_on_goal(
        "How do you react when someone criticises your work?", "Take criticism calmly.", "receive"
    )
    # `other`: a goal about daring is not asked about as feedback, and needs the goal itself.
    dare = "Oser présenter mon idée au vendredi des essais."
    assert not reflection_on_goal("Quel retour avez-vous reçu cette semaine ?", dare, "other")
    assert reflection_on_goal(
        "Depuis notre séance, quand avez-vous cherché à oser présenter votre idée au vendredi "
        "des essais, et qu'est-ce qui vous y a aidé ?",
        dare,
        "other",
    )
