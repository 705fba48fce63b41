"""The circle composer: clarifying questions from the presenter's own words, the skill heard
and the organisation's bank; a synthesis that only gathers what members wrote, attributed."""

from __future__ import annotations

from agents.circles.composer import MAX_QUESTIONS, Said, clarifying_questions, synthesis

SITUATION = (
    "Je n'ose pas faire de retours à un collègue qui coupe la parole en réunion, "
    "mais l'équipe en souffre."
)


def test_questions_quote_the_situation_and_use_the_bank_for_the_skill_heard() -> None:
    banked = "Quelle place les retours ont-ils dans votre équipe ?"
    questions = clarifying_questions(
        SITUATION,
        "fr",
        skills=["feedback", "delegation"],
        bank=[("delegation", "Qui décide ?"), ("feedback", banked)],
    )
    assert 3 <= len(questions) <= MAX_QUESTIONS
    assert questions[0].startswith("Quand vous dites « Je n'ose pas faire de retours")
    assert banked in questions
    assert "Qui décide ?" not in questions  # another skill's question
    assert all(q.endswith("?") for q in questions)
    assert questions == clarifying_questions(  # deterministic
        SITUATION,
        "fr",
        skills=["feedback", "delegation"],
        bank=[("delegation", "Qui décide ?"), ("feedback", banked)],
    )


def test_questions_without_a_skill_heard_stay_open_and_in_the_language() -> None:
    questions = clarifying_questions("We moved offices.", "en", skills=["feedback"])
    assert questions
    assert all(q.endswith("?") for q in questions)
    assert not any("feedback" in q for q in questions)
    assert "Who are the people involved, and what is your role with them?" in questions


def test_the_synthesis_attributes_each_line_to_its_step_and_invents_nothing() -> None:
    said = [
        Said("situation", "Ana", "Marc coupe la parole."),
        Said("suggestions", "Cleo", "Lui parler seul à seul."),
        Said("plan", "Ana", "Jeudi, je lui parle."),
    ]
    steps = ("situation", "questions", "request", "suggestions", "plan", "lessons")
    text = synthesis(said, "fr", presenter="Ana", steps=steps)
    assert text.startswith("Synthèse de la séance de Ana")
    assert "- Cleo : Lui parler seul à seul." in text
    assert text.index("Les suggestions") < text.index("Cleo") < text.index("Le plan d'action")
    assert text.count("(rien d'écrit à cette étape)") == 3  # questions, request, lessons
    english = synthesis(said, "en", presenter="Ana", steps=steps)
    assert "- Cleo: Lui parler seul à seul." in english
