"""A learner's request for help, said back in their words (agents.chat.reflection)."""

from __future__ import annotations

import pytest

from agents.chat.reflection import MAX_CHARS, said_back


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        (
            "How do I tell my team the launch is delayed?",
            "en",
            "You are asking how to tell your team the launch is delayed.",
        ),
        (
            "I keep freezing. How can I handle it when Mark interrupts me and I am mid-sentence?",
            "en",
            "You are asking how to handle it when Mark interrupts you and you are mid-sentence.",
        ),
        (
            "Hi, how should we organise our retro",
            "en",
            "You are asking how to organise your retro.",
        ),
        (
            "My boss never gives feedback. What can I do about it?",
            "en",
            "You are asking what you can do about it.",
        ),
        (
            "Comment annoncer à mon équipe que le projet est retardé ?",
            "fr",
            "Vous cherchez comment annoncer à votre équipe que le projet est retardé.",
        ),
        (
            "Bonjour, comment m’affirmer face à ma manager ?",
            "fr",
            "Vous cherchez comment vous affirmer face à votre manager.",
        ),
        (
            "Comment faire pour que mes collègues proposent des idées ?",
            "fr",
            "Vous cherchez comment faire pour que vos collègues proposent des idées.",
        ),
        (
            "Que faire si mon collègue me coupe la parole ?",
            "fr",
            "Vous vous demandez que faire si votre collègue vous coupe la parole.",
        ),
    ],
)
def test_a_plain_request_is_said_back_from_the_learner_s_side(
    message: str, language: str, expected: str
) -> None:
    assert said_back(message, language) == expected


@pytest.mark.parametrize(
    ("message", "language"),
    [
        # A conjugated first person would need a conjugator: left to the plain sentence.
        ("Comment je lui dis que ça ne va pas ?", "fr"),
        # "comment" without an infinitive is not a request for a way to do something.
        ("Comment ça se passe, le séminaire ?", "fr"),
        ("Quand a lieu le séminaire ?", "fr"),
        ("How do I?", "en"),
        ("I don't know how I will get through this week.", "en"),
        ("How do I " + "do this and that " * 12 + "?", "en"),
    ],
)
def test_nothing_is_said_back_when_there_is_no_plain_request(message: str, language: str) -> None:
    assert said_back(message, language) == ""


def test_a_request_longer_than_the_bound_is_not_echoed() -> None:
    rest = "x" * (MAX_CHARS + 1)
    assert said_back(f"How do I {rest}?", "en") == ""
    assert said_back(f"How do I {rest[: MAX_CHARS - 5]}?", "en")
