"""Companions in a real browser: the learner invites a colleague with the question drafted
from their goal, the companion answers through the link they were e-mailed (no account), the
learner shares the answer, and the coach reads it on the learner's brief page, without the
companion's name (the learner did not allow it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from selenium.webdriver.support.ui import Select

from app.db.models.enums import Role
from tests.browser.conftest import Browser, Server, add_person
from tests.browser.test_accessibility import _audit, _first_tab_reaches_skip_link
from tests.browser.test_loop import all_css, css, log_in, wait
from tests.support import PASSWORD

COMPANION = "companion-browser@friends.example"
FACT = "Mardi, tu as recadré la réunion en deux phrases, sans hausser le ton."


def _mailed_link(server: Server) -> str | None:
    for message in reversed(server.inbox.messages):
        if message["To"] == COMPANION:
            found = re.search(r"https?://\S+/c/[\w-]+", server.inbox.text_of(message))
            return found.group(0) if found else None
    return None  # the outbox polls every 0.2 s


def _guard_trained(server: Server) -> None:
    """The server trains its safety guard in the background at start (about a minute on two
    busy cores); the companion's answer waits for it. A chat message from a throwaway learner
    waits first, with a patient client, so the browser's click does not time out instead."""
    person = add_person(server, "warm-up", Role.LEARNER)
    with httpx.Client(base_url=server.url, timeout=300) as http:
        login = http.post(
            "/api/v1/auth/login",
            json={"organization": person.org_slug, "email": person.email, "password": PASSWORD},
        )
        assert login.status_code == 201, login.text
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        chat = http.post("/api/v1/conversations", json={}, headers=headers).json()["id"]
        said = http.post(
            f"/api/v1/conversations/{chat}/messages", json={"content": "Bonjour"}, headers=headers
        )
        assert said.status_code == 201, said.text


def test_invite_answer_share_and_the_coach_reads_it(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    learner = open_browser("learner")
    learner.go("/login")
    log_in(learner, alpha.learners[0])
    css(learner, "nav a[href='/me/companions']").click()
    wait(learner, lambda d: all_css(learner, "#companion-form"))
    assert (
        css(learner, "#companion-question")
        .get_attribute("value")
        .startswith("Qu'avez-vous observé")
    )
    css(learner, "#companion-name").send_keys("Alex Dupont")
    css(learner, "#companion-email").send_keys(COMPANION)
    Select(css(learner, "#companion-relation")).select_by_value("colleague")
    css(learner, "#companion-form button[type=submit]").click()
    wait(learner, lambda d: all_css(learner, "#companion-invited"))
    assert COMPANION in css(learner, "#companion-invited").text
    learner.shot("companions-invited")

    link = wait(learner, lambda d: _mailed_link(server), timeout=20)
    _guard_trained(server)
    companion = open_browser("companion")
    companion.driver.get(link)
    wait(companion, lambda d: all_css(companion, "#companion-form"))
    assert "Learner1" in css(companion, "h1").text  # the first name, nothing more
    assert alpha.canary in css(companion, "#companion-goal").text
    assert _audit(companion) == []  # labelled, one h1, a language, like every page
    assert _first_tab_reaches_skip_link(companion)
    css(companion, "#fact").send_keys(FACT)
    css(companion, "#effect").send_keys("Tout le monde a pu reprendre la parole.")
    css(companion, "#companion-form button[type=submit]").click()
    wait(companion, lambda d: all_css(companion, "#companion-thanks"), timeout=120)
    companion.shot("companion-answered")
    assert companion.console_errors() == []

    learner.go("/me/companions")
    wait(learner, lambda d: all_css(learner, ".companion-feedback"))
    [answer] = all_css(learner, ".companion-feedback")
    assert FACT in answer.text
    css(answer, "form button[type=submit]").click()
    wait(learner, lambda d: all_css(learner, ".companion-feedback .badge"))

    coach = open_browser("coach")
    coach.go("/login")
    log_in(coach, alpha.coach)
    coach.go(f"/coach/learners/{alpha.learners[0].id}/brief")
    shared = wait(coach, lambda d: css(coach, "#companion-feedback").text)
    assert FACT in shared
    assert "un collègue" in shared  # the relation, not the name
    assert "Alex" not in shared
    coach.shot("coach-companion-feedback")
    assert learner.console_errors() == []


WHO = "un pair qui vous a vu(e) à la réunion du lundi"
SUGGESTED = "Qu'avez-vous remarqué lundi quand j'ai recadré la discussion ?"


def test_the_coach_suggests_whom_to_ask_and_the_learner_takes_it_up(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    learner_person = alpha.learners[1]  # not the first test's learner: their page is theirs
    brief = f"/coach/learners/{learner_person.id}/brief"
    coach = open_browser("coach-suggests")
    coach.go("/login")
    log_in(coach, alpha.coach)
    wait(coach, lambda d: coach.path != "/login")
    coach.go(brief)
    css(coach, "#suggestion-who").send_keys(WHO)
    css(coach, "#suggestion-question").send_keys(SUGGESTED)
    css(coach, "#companion-suggestion-form button[type=submit]").click()
    wait(coach, lambda d: all_css(coach, ".companion-suggestion[data-status=open]"))
    assert _audit(coach) == []

    learner = open_browser("learner-takes-up")
    learner.go("/login")
    log_in(learner, learner_person)
    wait(learner, lambda d: learner.path != "/login")
    learner.go("/me/companions")
    [card] = wait(learner, lambda d: all_css(learner, ".coach-suggestion"))
    assert WHO in card.text
    learner.shot("companion-suggestion")
    css(card, "a").click()
    wait(learner, lambda d: all_css(learner, "#companion-taking"))
    assert css(learner, "#companion-question").get_attribute("value") == SUGGESTED
    assert _audit(learner) == []
    css(learner, "#companion-name").send_keys("Lou Bernard")
    css(learner, "#companion-email").send_keys("lou@friends.example")
    css(learner, "#companion-form button[type=submit]").click()
    wait(learner, lambda d: all_css(learner, "#companion-invited"))
    assert all_css(learner, ".coach-suggestion") == []  # taken up: no longer waiting
    assert learner.console_errors() == []

    coach.go(brief)
    wait(coach, lambda d: all_css(coach, ".companion-suggestion[data-status=taken]"))
    circle = css(coach, "#companion-circle").text
    assert SUGGESTED in circle  # the question is open, waiting for Lou's answer
    assert "Lou" not in css(coach, "main").text  # whom the learner asked is theirs
    coach.shot("coach-suggestion-taken")
    assert coach.console_errors() == []
