"""What the brief says about answers, open safety alerts and what is new since the session.

The composer on its own, and the graph with a scripted model: the alerts and the counts are
the same whoever writes the rest.
"""

from __future__ import annotations

import dataclasses
import json

from agents.brief import BriefPoint, BriefRequest, Evidence, draft_brief
from agents.brief.changes import compose_changes
from agents.brief.composer import compose_brief
from agents.brief.state import Alert
from agents.brief.validate import brief_problems
from tests.fakes import ScriptedChatModel

SINCE = "2026-11-20T09:00:00+00:00"
PROMPT = "Qu'avez-vous essayé depuis la séance ?"
ANSWER = Evidence(
    "ans-1",
    "answer",
    "J'ai demandé un retour à un pair après la réunion d'équipe.",
    "2026-11-24T08:00:00+00:00",
    prompt=PROMPT,
)
NOTE = Evidence("note-1", "journal", "Je me sens plus à l'aise.", "2026-11-25T20:00:00+00:00")
MESSAGES = (
    Evidence("msg-1", "message", "Bonjour.", "2026-11-26T10:00:00+00:00", thread="conv-1"),
    Evidence("msg-2", "message", "Et ensuite ?", "2026-11-26T10:05:00+00:00", thread="conv-1"),
)
ALERTS = (
    *(Alert(f"alert-{n}", "urgent", f"2026-11-2{n}T12:00:00+00:00") for n in range(1, 6)),
    Alert("alert-6", "support", "2026-12-01T12:00:00+00:00"),
    Alert("alert-7", "support", "2026-12-03T12:00:00+00:00"),
)


def _request(language: str = "fr", **overrides: object) -> BriefRequest:
    request = BriefRequest(
        organization_id="org-1",
        language=language,
        goal="Donner des retours plus directs.",
        focus_skills=("feedback",),
        agreed_actions=("Demander un retour à un pair.",),
        evidence=(ANSWER, NOTE, *MESSAGES),
        since=SINCE,
        alerts=ALERTS,
    )
    return dataclasses.replace(request, **overrides)


def _texts(points: list[BriefPoint]) -> list[str]:
    return [point.text for point in points]


def test_open_alerts_are_counted_by_tier_and_date_and_cited() -> None:
    changes = compose_changes(_request())

    assert changes[0] == BriefPoint(
        "7 alertes de sécurité restent ouvertes (5 urgentes et 2 de soutien), levées entre "
        "le 21 novembre et le 3 décembre.",
        tuple(alert.id for alert in ALERTS),
    )
    one = compose_changes(_request("en", alerts=ALERTS[:1]))[0]
    assert one == BriefPoint(
        "One urgent safety alert is still open, raised on 21 November.", ("alert-1",)
    )
    same_day = compose_changes(_request("en", alerts=ALERTS[5:]))[0].text
    assert (
        same_day
        == "2 safety alerts are still open (all support), raised between 1 December and 3 December."
    )


def test_what_is_new_since_the_session_is_counted_by_kind_and_cited() -> None:
    changes = compose_changes(_request())

    assert changes[1] == BriefPoint(
        "Depuis la séance du 20 novembre : 1 réponse, 1 note de journal partagée et 2 messages "
        "dans 1 conversation partagée.",
        ("ans-1", "note-1", "msg-1", "msg-2"),
    )
    english = compose_changes(_request("en", alerts=()))
    assert _texts(english) == [
        "Since the session of 20 November: 1 answer, 1 shared journal entry and 2 messages in "
        "1 shared conversation."
    ]


def test_nothing_to_report_only_when_there_is_no_new_material_and_no_open_alert() -> None:
    assert _texts(compose_changes(_request(evidence=(), alerts=()))) == [
        "Rien à signaler depuis la séance du 20 novembre : ni réponse, ni note de journal ou "
        "conversation partagée, ni alerte ouverte."
    ]
    alerts_only = _texts(compose_changes(_request("en", evidence=())))
    assert alerts_only[1] == (
        "Nothing new shared since the session of 20 November: no answer, no shared journal "
        "entry or conversation."
    )
    for request in (_request(), _request(evidence=()), _request(alerts=()), _request("en")):
        said = json.dumps(_texts(draft_brief(request).changes), ensure_ascii=False)
        assert "Rien à signaler" not in said
        assert "Nothing to report" not in said


def test_the_composer_quotes_each_answer_with_its_question_and_date() -> None:
    brief = draft_brief(_request())

    assert brief.answers == [
        BriefPoint(
            f"Le 24 novembre, en réponse à « {PROMPT} » : « J'ai demandé un retour à un pair "
            "après la réunion d'équipe »",
            ("ans-1",),
        )
    ]
    assert brief.explore[0].text.startswith("Prendre des nouvelles de la personne")
    english = draft_brief(_request("en", alerts=())).answers[0].text
    assert english.startswith(f"On 24 November, answering “{PROMPT}”: “J'ai demandé")
    many = tuple(
        dataclasses.replace(ANSWER, id=f"a-{n}", created_at=f"2026-11-2{n}T08:00:00+00:00")
        for n in range(1, 8)
    )
    crowded = _request(evidence=many)
    composed = compose_brief(crowded)
    assert [p.evidence_ids for p in composed["answers"]] == [(f"a-{n}",) for n in range(3, 8)]
    assert brief_problems(composed, crowded) == []  # the latest five, as a model must


def _model_brief(answers: list[dict[str, object]]) -> str:
    return json.dumps(
        {
            "answers": answers,
            "themes": [
                {"text": "Le retour d'un pair revient dans ses écrits.", "evidence": ["E1"]}
            ],
            "progress": [{"text": "Elle a demandé un retour à un pair.", "evidence": ["E1"]}],
            "open_questions": [],
            "explore": [{"text": "Ce que ce retour lui a appris sur elle.", "evidence": []}],
        },
        ensure_ascii=False,
    )


def test_a_model_brief_that_leaves_out_an_answer_is_repaired() -> None:
    cited = [{"text": "Elle a demandé un retour à un pair après la réunion.", "evidence": ["E1"]}]
    wrong_kind = [{"text": "Elle se sent plus à l'aise ces jours-ci.", "evidence": ["E2"]}]
    model = ScriptedChatModel([_model_brief([]), _model_brief(wrong_kind)])

    brief = draft_brief(_request(), model)

    assert "answers must cite every answer among the latest: E1" in (
        model.calls[1]["messages"][-1].content
    )
    assert brief.fallback_used  # the second answer cites a journal entry as an answer
    assert "answers point 1 cites something other than an answer" in brief.problems
    model = ScriptedChatModel([_model_brief(cited)])
    assert draft_brief(_request(), model).answers == [
        BriefPoint("Elle a demandé un retour à un pair après la réunion.", ("ans-1",))
    ]


def test_the_model_is_told_the_alert_counts_never_their_ids_and_cannot_drop_them() -> None:
    cited = [{"text": "Elle a demandé un retour à un pair après la réunion.", "evidence": ["E1"]}]
    model = ScriptedChatModel([_model_brief(cited)])

    brief = draft_brief(_request(), model)

    user = model.calls[0]["messages"][1].content
    assert '"open_safety_alerts": {\n  "urgent": 5,\n  "support": 2\n }' in user
    assert '"last_session": "2026-11-20"' in user
    assert "alert-" not in user
    assert (brief.fallback_used, brief.changes) == (False, compose_changes(_request()))
