"""A peer circle in real browsers: a coach forms a circle of four learners and facilitates a
co-development session through its six steps; the presenter and the other members write from
their own browsers (the page is the shared space of a remote circle); the facilitator
approves the agent's clarifying questions and synthesis, which members see only then (a
member's open page shows the approved questions by itself, without reloading); the presenter
finds their action plan among their items; the circle's page lists its past sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from selenium.webdriver.support.ui import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Enrollment
from app.db.models.enums import Role
from tests.browser.conftest import Browser, Server, add_person
from tests.browser.test_accessibility import _audit
from tests.browser.test_companions import _guard_trained
from tests.browser.test_loop import all_css, css, log_in, wait
from tests.support import Person, run_db

PLAN = "Jeudi, je parle seul à seul avec Marc, avec l'exemple précis de la réunion de lundi."


def _coached_learner(server: Server, prefix: str) -> Person:
    world = server.worlds[0]
    person = add_person(server, prefix, Role.LEARNER)

    async def enroll(db: AsyncSession) -> UUID:
        enrollment = Enrollment(
            organization_id=world.id,
            learner_id=person.id,
            coach_id=world.coach.id,
            program_id=world.program_id,
            goal="oser dire les choses en réunion",
        )
        db.add(enrollment)
        await db.flush()
        return enrollment.id

    run_db(server.settings, enroll)
    return person


def _as(b: Browser, person: Person, circle_path: str) -> None:
    """The browser of one member (this one plays the three others in turn)."""
    b.driver.delete_all_cookies()
    b.go("/login")
    log_in(b, person)
    b.go(circle_path)
    wait(b, lambda d: all_css(b, "#circle-session"))


def _write(b: Browser, words: str) -> None:
    css(b, "#circle-text").send_keys(words)
    css(b, "#circle-write button[type=submit]").click()
    wait(b, lambda d: words[:30] in css(b, "#circle-session").text, timeout=120)


def _advance(coach: Browser, to: str) -> None:
    css(coach, "#circle-advance button").click()
    wait(coach, lambda d: css(coach, "#circle-session").get_attribute("data-step") == to)


def _approve(coach: Browser, kind: str) -> None:
    draft = f"#circle-drafts article[data-kind='{kind}']"
    wait(coach, lambda d: all_css(coach, f"{draft}[data-state='pending_review']"))
    css(coach, f"{draft} button[value='approve']").click()
    wait(coach, lambda d: all_css(coach, f"{draft}[data-state='approved']"))


def test_four_learners_and_a_facilitator_walk_a_session(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    ana, ben, cleo, dan = (
        _coached_learner(server, f"circle-{n}") for n in ("ana", "ben", "cleo", "dan")
    )
    _guard_trained(server)

    coach = open_browser("coach")
    coach.go("/login")
    log_in(coach, alpha.coach)
    css(coach, "nav a[href='/circles']").click()
    wait(coach, lambda d: all_css(coach, "#circle-form"))
    css(coach, "#circle-name").send_keys("Cercle des managers")
    for person in (ana, ben, cleo, dan):
        css(coach, f"#member-{person.id}").click()
    css(coach, "#circle-form button[type=submit]").click()
    wait(coach, lambda d: all_css(coach, "#circle-start"))
    circle_path = coach.path
    assert _audit(coach) == []
    Select(css(coach, "#circle-presenter")).select_by_value(str(ana.id))
    css(coach, "#circle-start button[type=submit]").click()
    wait(coach, lambda d: all_css(coach, "#circle-advance"))
    assert "Circle-Ana" in css(coach, "#session-title").text

    presenter, peers = open_browser("presenter"), open_browser("peers")
    _as(presenter, ana, circle_path)
    assert css(presenter, "#circle-steps [aria-current='step']").text.startswith("Exposé")
    assert "min" in css(presenter, "#circle-time").text
    _write(
        presenter,
        "Je n'ose pas faire de retours à Marc, qui coupe la parole en réunion, mais l'équipe "
        "en souffre.",
    )

    coach.go(circle_path)
    _advance(coach, "questions")
    _as(peers, ben, circle_path)
    assert all_css(peers, "#circle-drafts article") == []  # the draft waits for the facilitator
    assert not css(peers, "#circle-drafts").is_displayed()
    # The member keeps the page open: the approved questions arrive without a reload (a reload
    # would drop this mark). The page asks every 5 seconds.
    peers.driver.execute_script("window.stillTheSamePage = true;")
    _approve(coach, "questions")
    approved = "#circle-drafts article[data-state='approved']"
    wait(peers, lambda d: all_css(peers, approved), timeout=30)
    assert peers.driver.execute_script("return window.stillTheSamePage === true;")
    assert css(peers, "#circle-drafts").is_displayed()
    assert "?" in css(peers, "#circle-drafts").text
    _write(peers, "Depuis quand Marc coupe-t-il la parole ?")

    _advance(coach, "request")
    presenter.go(circle_path)
    _write(presenter, "Comment lui en parler sans qu'il se braque ?")
    _advance(coach, "suggestions")
    _as(peers, cleo, circle_path)
    _write(peers, "Lui parler seul à seul, avec un fait précis.")
    _as(peers, dan, circle_path)
    _write(peers, "Proposer un tour de parole en début de réunion.")
    _advance(coach, "plan")
    presenter.go(circle_path)
    _write(presenter, PLAN)
    _advance(coach, "lessons")

    presenter.go(circle_path)
    wait(presenter, lambda d: all_css(presenter, "#circle-plan-item"))
    _write(presenter, "Préparer un fait précis m'aide à oser.")
    peers.go(circle_path)
    _write(peers, "Je retiens de demander d'abord ce qui a été essayé.")
    # Ben's page, open since the questions, followed the session by itself.
    _as(peers, ben, circle_path)
    peers.driver.execute_script("window.stillTheSamePage = true;")
    css(coach, "#circle-advance button").click()  # closes the session
    wait(coach, lambda d: all_css(coach, "#circle-closed"))
    closed = css(peers, "#circle-session")
    wait(peers, lambda d: closed.get_attribute("data-step") == "closed", timeout=30)
    assert css(peers, "#circle-moved").is_displayed()
    assert peers.driver.execute_script("return window.stillTheSamePage === true;")
    peers.go(circle_path)
    assert all_css(peers, "#circle-drafts article[data-kind='synthesis']") == []
    _approve(coach, "synthesis")
    coach.shot("circle-closed")
    peers.go(circle_path)
    synthesis = wait(
        peers, lambda d: all_css(peers, "#circle-drafts article[data-kind='synthesis']")
    )[0].text
    assert "Circle-Cleo : Lui parler seul à seul" in synthesis
    assert PLAN in synthesis
    # The circle's sessions: this one, closed, with its presenter; a link opens it.
    [past] = all_css(peers, "#circle-history li")
    assert "Circle-Ana" in past.text
    assert _audit(peers) == []
    peers.shot("circle-synthesis")

    # The action plan is among the presenter's own items.
    presenter.go("/me")
    wait(presenter, lambda d: any(PLAN in i.text for i in all_css(presenter, ".item")))
    presenter.shot("circle-plan-item")
    for b in (coach, presenter, peers):
        assert b.console_errors() == []
