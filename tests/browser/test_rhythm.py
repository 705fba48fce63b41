"""A plan's rhythm in a real browser: the coach gives the next session's date, reviews drafts
that each carry a proposed day, moves one, approves; the learner's home says what is coming
and when, without showing it before its day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import httpx

from app.web.i18n import format_date
from tests.browser.conftest import Browser, Server
from tests.browser.test_loop import PLAN_TIMEOUT_S, all_css, css, log_in, wait


def test_a_plan_spread_until_the_next_session(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    world = server.worlds[0]
    learner_person = world.learners[1]
    coach = open_browser("rhythm-coach")
    coach.go("/login")
    log_in(coach, world.coach)
    coach.go(f"/coach/sessions/new?learner={learner_person.id}")
    today = datetime.now(UTC).date()
    next_session = today + timedelta(days=21)
    coach.driver.execute_script(
        "document.getElementById('next_session_at').value = arguments[0];",
        f"{next_session.isoformat()}T10:00",
    )
    css(coach, "#goal").send_keys("Oser proposer mes idées en réunion.")
    css(coach, "#agreed_actions").send_keys("Proposer une idée à la réunion de lundi.")
    css(coach, "#session-form button[type=submit]").click()
    progress = wait(
        coach, lambda d: css(coach, "#plan-progress[data-status='done']"), PLAN_TIMEOUT_S
    )
    session_id = str(progress.get_attribute("data-session-id"))
    css(coach, "#plan-review").click()
    wait(coach, lambda d: "/coach/review" in d.current_url)
    drafts = all_css(coach, f"article.draft[data-session-id='{session_id}']")
    days = [css(d, "[data-role=deliver-date]").get_attribute("value") for d in drafts]
    assert all(days), "every draft has a proposed day"
    assert all(today.isoformat() < day < next_session.isoformat() for day in days)
    coach.shot("rhythm-review")

    # The coach moves the first draft to another day, then approves it.
    card = drafts[0]
    moved = (next_session - timedelta(days=2)).isoformat()
    coach.driver.execute_script(
        "arguments[0].value = arguments[1];", css(card, "[data-role=deliver-date]"), moved
    )
    css(card, "[data-action=approve]").click()
    wait(coach, lambda d: card.get_attribute("data-state") == "approved")
    item_id = card.get_attribute("data-suggestion-id")
    stored = httpx.get(
        f"{server.url}/api/v1/suggestions/{item_id}",
        headers={"Authorization": f"Bearer {world.coach.api_key}"},
        timeout=10,
    ).json()
    assert stored["deliver_at"].startswith(moved)

    learner = open_browser("rhythm-learner")
    learner.go("/login")
    log_in(learner, learner_person)
    coming = wait(learner, lambda d: css(learner, "#coming-up")).text
    assert "1 élément" in coming  # the learner reads French
    assert format_date(date.fromisoformat(moved), "fr") in coming
    assert not all_css(learner, f"#item-{item_id}")  # not before its day
    learner.shot("rhythm-coming-up")
    assert coach.console_errors() == []


def test_the_learner_s_home_puts_today_first_then_what_waits(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    from zoneinfo import ZoneInfo

    beta = server.worlds[1]
    person = beta.learners[1]
    today, missed, answered = (str(i) for i in beta.draft_ids[person.id][:3])
    now = datetime.now(ZoneInfo(server.settings.delivery_time_zone))
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = {
        today: max(midnight, now - timedelta(minutes=5)),
        missed: now - timedelta(days=3),
        answered: now - timedelta(days=4),
    }
    for item, day in days.items():
        approved = httpx.post(
            f"{server.url}/api/v1/suggestions/{item}/approve",
            json={"deliver_at": day.isoformat()},
            headers={"Authorization": f"Bearer {beta.coach.api_key}"},
            timeout=10,
        )
        assert approved.status_code == 200, approved.text
    reply = httpx.post(
        f"{server.url}/api/v1/feed/{answered}/answers",
        json={"text": "Fait en réunion lundi."},
        headers={"Authorization": f"Bearer {person.api_key}"},
        timeout=10,
    )
    assert reply.status_code == 201, reply.text

    learner = open_browser("home-learner")
    learner.go("/login")
    log_in(learner, person)
    wait(learner, lambda d: css(learner, "#feed"))
    headings = [h.get_attribute("id") for h in all_css(learner, "#feed h3.day")]
    assert headings == ["today", "waiting", "earlier"]
    cards = [c.get_attribute("data-item-id") for c in all_css(learner, "#feed article.item")]
    assert cards == [today, missed, answered]  # today's first, then the one still waiting
    assert "(1)" in css(learner, "#waiting").text
    learner.shot("home-today-first")
    assert learner.console_errors() == []
