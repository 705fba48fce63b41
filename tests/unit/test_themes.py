"""What the companion hears in a message: the program's skill by its words (agents.themes)."""

from __future__ import annotations

import pytest

from agents.themes import family_of, heard_phrase, heard_skills

HORIZON = ("audace", "coopération", "écoute active", "feedback", "intelligence émotionnelle")
BRIGHTWATER = ("active listening", "boldness", "cooperation", "emotional intelligence", "feedback")


@pytest.mark.parametrize(
    ("skill", "family"),
    [
        ("Écoute active", "listening"),
        ("intelligence émotionnelle", "emotions"),
        ("Boldness", "boldness"),
        ("feed-back", "feedback"),
        ("L'écoute active au quotidien", "listening"),
        ("Gestion des conflits", "conflict"),
        ("Délégation", "delegation"),
        ("négociation", None),
    ],
)
def test_an_organisation_s_skill_is_recognised_by_its_name(skill: str, family: str | None) -> None:
    found = family_of(skill)
    assert (found.key if found else None) == family


@pytest.mark.parametrize(
    ("message", "skills", "heard"),
    [
        ("Je n'ose pas dire à mon chef que son planning est intenable", HORIZON, ["audace"]),
        ("jai hurle sur un collegue hier, j'ai honte", HORIZON, ["intelligence émotionnelle"]),
        ("My lead never listens and keeps interrupting me", BRIGHTWATER, ["active listening"]),
        ("How do I thank Sam properly for the report?", BRIGHTWATER, ["feedback"]),
        ("Le site de Rezé nous demande un coup de main", HORIZON, ["coopération"]),
    ],
)
def test_the_skill_whose_words_the_message_holds_is_heard(
    message: str, skills: tuple[str, ...], heard: list[str]
) -> None:
    assert heard_skills(message, skills) == heard


@pytest.mark.parametrize(
    "message",
    [
        "Comment annoncer à mon équipe que le projet est retardé ?",  # "comment" is not "comments"
        "À propos du séminaire, qui est invité ?",  # "à propos" is not "proposer"
        "Quelles sont les attentes du nouveau poste ?",  # "attentes" is not "tenter"
    ],
)
def test_a_cue_matches_from_the_start_of_a_word_only(message: str) -> None:
    assert heard_skills(message, HORIZON) == []


def test_skills_of_no_known_family_are_never_heard() -> None:
    assert heard_skills("Je n'ose pas négocier mon salaire", ("négociation", "créativité")) == []


def test_a_program_of_other_skills_is_heard_too() -> None:
    skills = ("délégation", "gestion du temps", "gestion des conflits", "conduite du changement")
    assert heard_skills("Je finis toujours par tout refaire moi-même", skills) == ["délégation"]
    assert heard_skills("I'm swamped and every deadline feels urgent", skills) == [
        "gestion du temps"
    ]
    assert heard_skills("Deux collègues sont en conflit ouvert", skills) == ["gestion des conflits"]


@pytest.mark.parametrize(
    ("message", "skills", "heard"),
    [
        ("Je ne suis pas d'accord mais je n'ose pas le dire", HORIZON, ["audace"]),
        ("Je lui dis ou je laisse couler ?", HORIZON, ["audace"]),
        ("I had to bite my tongue again", BRIGHTWATER, ["boldness"]),
        ("How do I have a hard conversation with Sam?", BRIGHTWATER, ["feedback"]),
        ("Il faut que je lui dise les choses", HORIZON, ["feedback"]),
    ],
)
def test_the_skill_is_heard_in_other_words_for_the_same_meaning(
    message: str, skills: tuple[str, ...], heard: list[str]
) -> None:
    assert heard_skills(message, skills) == heard


def test_a_family_the_program_does_not_teach_is_heard_through_its_near_families() -> None:
    message = "Deux collègues sont en conflit ouvert"
    assert heard_skills(message, HORIZON) == ["coopération", "écoute active"]
    # A program with a skill of its own for it keeps that one.
    assert heard_skills(message, (*HORIZON, "gestion des conflits")) == ["gestion des conflits"]


def test_doing_something_quietly_is_not_keeping_quiet() -> None:
    assert heard_skills("I keep quietly fixing the build for them", BRIGHTWATER) == []


def test_equally_heard_skills_are_all_returned() -> None:
    message = "I'm afraid to give my manager feedback"
    assert heard_skills(message, BRIGHTWATER) == ["boldness", "feedback"]


def test_the_learner_s_clause_is_quoted_only_when_the_message_says_more() -> None:
    long = "Réunion difficile ce matin, je n'ai pas osé contredire ma cheffe. Bref."
    assert heard_phrase(long, "audace") == "je n'ai pas osé contredire ma cheffe"
    assert heard_phrase("Je n'ose pas contredire ma cheffe", "audace") == ""
    assert heard_phrase(long, "négociation") == ""
