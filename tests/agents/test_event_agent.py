"""The event question: drafted from the event's own passage, in the learner's language, one
open question taking up the goal; a model's answer that is not one falls back to the composer."""

from __future__ import annotations

import json
from datetime import date

import pytest

from agents.llm import ModelError
from agents.plan.event import EventRequest, draft_event_question, spoken_date
from evals.scenarios import PackOrg
from tests.fakes import ScriptedChatModel

SEMINAR = ("event-seminaire-cap-2026.md", "Séminaire Cap Horizon 2026", date(2026, 9, 24))
LAUNCH = ("event-kingfisher-3-launch.md", "Kingfisher 3 probe launch", date(2027, 4, 20))


def _request(org: PackOrg, event: tuple[str, str, date], **fields: str) -> EventRequest:
    name, title, day = event
    values = {"language": "fr", "phase": "prepare", "goal": "", **fields}
    return EventRequest(
        organization_id=org.organization_id,
        language=values["language"],
        phase=values["phase"],  # type: ignore[arg-type]
        event_document_id=name,
        event_title=title,
        event_date=day,
        goal=values["goal"],
    )


def test_a_preparation_question_takes_up_the_goal_and_cites_the_event(horizon: PackOrg) -> None:
    request = _request(horizon, SEMINAR, goal="Oser dire mon désaccord en réunion")
    draft = draft_event_question(request, horizon.knowledge.retriever())
    text = draft.item.text
    assert text.count("?") == 1
    assert "Séminaire Cap Horizon 2026" in text
    assert "24 septembre 2026" in text
    assert "oser dire votre désaccord en réunion" in text  # the goal, in the learner's terms
    assert [c["document_id"] for c in draft.item.citations] == [SEMINAR[0]]
    assert (draft.provider, draft.fallback_reason) == ("composer", "")


def test_a_debrief_in_english_without_a_goal(brightwater: PackOrg) -> None:
    request = _request(brightwater, LAUNCH, language="en", phase="debrief")
    draft = draft_event_question(request, brightwater.knowledge.retriever())
    assert draft.item.text.startswith("“Kingfisher 3 probe launch” took place on 20 April 2027")
    assert draft.item.text.count("?") == 1
    assert [c["document_id"] for c in draft.item.citations] == [LAUNCH[0]]


def test_a_model_question_is_kept_and_a_bad_one_falls_back(horizon: PackOrg) -> None:
    retriever = horizon.knowledge.retriever()
    request = _request(horizon, SEMINAR, phase="debrief")
    good = "Qu'avez-vous retenu des échanges entre sites pendant le séminaire ?"
    model = ScriptedChatModel([json.dumps({"question": good})])
    draft = draft_event_question(request, retriever, model)
    assert (draft.item.text, draft.fallback_reason) == (good, "")
    assert draft.item.citations  # the event's passage, as the composer would cite it
    passage = json.loads(model.calls[0]["messages"][1].content)["passage"]
    assert passage
    assert "séminaire" in passage.casefold()

    two = "Qu'avez-vous retenu ? Et qu'allez-vous changer ?"
    for answer in ("not json", json.dumps({"question": two}), json.dumps({"question": "What?"})):
        draft = draft_event_question(request, retriever, ScriptedChatModel([answer]))
        assert draft.fallback_reason, answer
        assert "a eu lieu le 24 septembre 2026" in draft.item.text


def test_model_errors_reach_the_job(horizon: PackOrg) -> None:
    model = ScriptedChatModel([ModelError("timeout", "too slow")])
    with pytest.raises(ModelError):
        draft_event_question(_request(horizon, SEMINAR), horizon.knowledge.retriever(), model)


def test_dates_are_spoken_in_the_learner_s_language() -> None:
    assert spoken_date(date(2027, 1, 1), "fr") == "1er janvier 2027"
    assert spoken_date(date(2027, 1, 11), "en") == "11 January 2027"
