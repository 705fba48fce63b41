"""The review queue's extras in a real browser: an approved question kept in the question bank,
and the agent run behind a draft (who drafted it, which passages it retrieved), which only the
learner's coach may open."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.browser.conftest import Browser, Server
from tests.browser.test_loop import all_css, coach_logs_a_session, css, log_in, wait


def _bank_texts(server: Server) -> list[str]:
    coach = server.worlds[0].coach
    response = httpx.get(
        f"{server.url}/api/v1/question-bank",
        params={"limit": 200},
        headers={"Authorization": f"Bearer {coach.api_key}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [q["text"] for q in response.json()["items"]]


def test_a_coach_keeps_an_approved_question_and_reads_the_run_behind_it(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    coach = open_browser("coach")
    coach.go("/login")
    log_in(coach, server.worlds[0].coach)
    session_id = coach_logs_a_session(coach, server.worlds[0].learners[1])
    drafts = all_css(coach, f"article.draft[data-session-id='{session_id}']")
    questions = [d for d in drafts if all_css(d, ".bank")]
    assert questions, "the plan drafted no question"
    card = questions[0]
    assert not css(card, ".bank").is_displayed()  # only once approved
    text = css(card, "[data-role=text]").text

    css(card, "[data-action=approve]").click()
    wait(coach, lambda d: card.get_attribute("data-state") == "approved")
    css(card, "[data-action=save-to-bank]").click()
    wait(coach, lambda d: not css(card, ".bank").is_displayed())
    assert css(card, ".outcome").text.strip()
    assert text in _bank_texts(server)
    coach.shot("banked")

    css(card, "a.run-link").click()
    wait(coach, lambda d: "/coach/runs/" in d.current_url)
    assert "composer" in css(coach, "#run-provider").text  # no model is configured
    passages = all_css(coach, "#run-retrieved button.cite")
    assert passages
    passages[0].click()
    wait(coach, lambda d: css(coach, "dialog#passage").get_attribute("data-loaded") == "passage")
    assert css(coach, "#passage-text").text.strip()
    coach.shot("run")
    assert coach.console_errors() == []

    # The run is the coach's business: a learner is refused, another coach finds nothing.
    run_path = coach.path
    for person, status in (
        (server.worlds[0].learners[1], "403"),
        (server.worlds[0].idle_coach, "404"),
    ):
        other = open_browser(person.email.split("@")[0])
        other.go("/login")
        log_in(other, person)
        other.go(run_path)
        assert css(other, "#error-page").get_attribute("data-status") == status
        assert not all_css(other, "#run-retrieved")
