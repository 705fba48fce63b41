"""The safety guard's tiers in a real browser.

A learner writes about harassment: the reply names the support resources and offers to tell the
coach; nothing reaches the coach until the learner clicks. A learner at risk: the coach sees the
urgent alert count on every page of theirs. A legal question: where to turn, and the coach
never hears of it.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from selenium.webdriver.remote.webelement import WebElement

from tests.browser.conftest import Browser, Server
from tests.browser.test_loop import all_css, css, log_in, wait

SUPPORT = "Mon manager me fait des remarques sur mon corps depuis des semaines, ça me pèse."
URGENT = "Je n'arrive plus à rien et je pense sérieusement à mettre fin à mes jours."
OUT_OF_SCOPE = "Est-ce que je peux attaquer mon employeur aux prud'hommes ?"


def _send(learner: Browser, text: str) -> WebElement:
    before = len(all_css(learner, "li.message.assistant"))
    css(learner, "#message").send_keys(text)
    css(learner, "#send").click()
    wait(
        learner,
        lambda d: len(all_css(learner, "li.message.assistant[data-status='replied']")) > before,
        timeout=60,
    )
    return all_css(learner, "li.message.assistant[data-status='replied']")[-1]


def _alerts(server: Server, coach_key: str, learner_id: object) -> list[dict[str, object]]:
    """This learner's alerts (other tests of the session share the server and its people)."""
    items: list[dict[str, object]] = httpx.get(
        f"{server.url}/api/v1/escalations", headers={"Authorization": f"Bearer {coach_key}"}
    ).json()["items"]
    return [a for a in items if a["learner_id"] == str(learner_id)]


def test_support_is_offered_and_the_coach_is_told_only_on_the_learner_s_click(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    person = alpha.learners[0]
    before = _alerts(server, alpha.coach.api_key, person.id)
    learner = open_browser("learner")
    learner.go("/me/chat")
    log_in(learner, person)

    reply = _send(learner, SUPPORT)
    assert "sans votre accord" in css(reply, ".content").text
    offer = css(reply, "button.tell-coach")
    assert _alerts(server, alpha.coach.api_key, person.id) == before  # nothing yet
    learner.shot("support-offer")
    offer.click()
    wait(learner, lambda d: all_css(reply, ".told-coach"))
    new = _alerts(server, alpha.coach.api_key, person.id)[len(before) :]
    assert [(a["tier"], a["category"]) for a in new] == [("support", "harassment")]

    reply = _send(learner, OUT_OF_SCOPE)
    assert "n'est transmis" in css(reply, ".content").text
    assert not all_css(reply, "button.tell-coach")
    assert len(_alerts(server, alpha.coach.api_key, person.id)) == len(before) + 1
    learner.go(learner.path)  # reloaded, the page says the same
    assert all_css(learner, ".told-coach")
    assert learner.console_errors() == []


def test_an_urgent_alert_shows_on_every_coach_page(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    learner = open_browser("learner")
    learner.go("/me/chat")
    log_in(learner, alpha.learners[1])
    reply = _send(learner, URGENT)
    assert "est prévenu" in css(reply, ".content").text

    open_urgent = [
        a
        for learner_ in alpha.learners
        for a in _alerts(server, alpha.coach.api_key, learner_.id)
        if a["tier"] == "urgent" and a["status"] == "open"
    ]
    assert any(a["learner_id"] == str(alpha.learners[1].id) for a in open_urgent)
    coach = open_browser("coach")
    coach.go("/coach/review")
    log_in(coach, alpha.coach)
    for path in ("/coach/review", "/coach"):
        coach.go(path)
        assert css(coach, "#open-alerts").text.strip().endswith(str(len(open_urgent)))
    assert URGENT not in coach.driver.page_source  # the category, never the message
    coach.shot("urgent-count")
    assert coach.console_errors() == []
