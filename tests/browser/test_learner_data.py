"""The learner's journal and 'my data' page in a real browser.

A journal entry is private until the learner ticks "share" (then the coach reads it beside the
brief), and private again when they untick it (checked against what the coach's API reads);
the export downloads as JSON; erasure asks for the email address, refuses a wrong one next to
the field, then ends at the login page, where the account no longer opens.
"""

from __future__ import annotations

import httpx
from selenium.webdriver.support.ui import WebDriverWait

from app.db.models.enums import Language, Role
from tests.browser.conftest import Browser, Server, add_person
from tests.browser.test_loop import all_css, css, fetch_status, log_in, no_horizontal_scroll, wait

JOURNAL_TEXT = "Aujourd'hui j'ai osé dire mon désaccord en réunion, calmement."


def _coach_reads_journal(server: Server) -> list[str]:
    coach = server.worlds[0].coach
    response = httpx.get(
        f"{server.url}/api/v1/journal",
        headers={"Authorization": f"Bearer {coach.api_key}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [entry["text"] for entry in response.json()["items"]]


def test_a_journal_entry_is_private_until_shared(
    server: Server, open_browser: type[Browser]
) -> None:
    learner = open_browser("learner")
    learner.go("/login")
    log_in(learner, server.worlds[0].learners[1])
    css(learner, "nav a[href='/me/journal']").click()
    wait(learner, lambda d: all_css(learner, "#journal-form"))

    css(learner, "#journal-text").send_keys(JOURNAL_TEXT)
    css(learner, "#journal-form button[type=submit]").click()
    wait(learner, lambda d: all_css(learner, ".journal-entry"))
    [entry] = all_css(learner, ".journal-entry")
    assert css(entry, ".text").text == JOURNAL_TEXT
    assert JOURNAL_TEXT not in _coach_reads_journal(server)  # private by default

    css(entry, ".entry-share").click()
    wait(learner, lambda d: css(entry, ".outcome").text)
    assert JOURNAL_TEXT in _coach_reads_journal(server)
    coach = open_browser("coach")
    coach.go("/login")
    log_in(coach, server.worlds[0].coach)
    coach.go(f"/coach/learners/{server.worlds[0].learners[1].id}/brief")
    assert JOURNAL_TEXT in css(coach, "#shared-notes").text  # beside the brief
    coach.shot("shared-notes")
    css(entry, ".entry-share").click()
    wait(learner, lambda d: JOURNAL_TEXT not in _coach_reads_journal(server))
    learner.go("/me")
    assert "0" in css(learner, "#what-coach-sees").text  # shared now: 0
    learner.shot("journal-home")

    learner.go("/me/journal")
    assert no_horizontal_scroll(learner)
    css(learner, ".journal-entry .entry-delete").click()
    WebDriverWait(learner.driver, 5).until(lambda d: d.switch_to.alert).accept()
    wait(learner, lambda d: not all_css(learner, ".journal-entry"))
    learner.go("/me/journal")
    assert not all_css(learner, ".journal-entry")  # deleted for real, not only hidden
    assert learner.console_errors() == []


def test_a_learner_downloads_then_erases_their_data(
    server: Server, open_browser: type[Browser]
) -> None:
    person = add_person(server, "erase", Role.LEARNER, Language.EN)
    learner = open_browser("learner", phone=True)
    learner.go("/login")
    log_in(learner, person)
    css(learner, "nav a[href='/me/data']").click()
    wait(learner, lambda d: all_css(learner, "#erase-form"))
    assert "What your coach sees" in css(learner, "#what-coach-sees").text  # locale: en
    assert no_horizontal_scroll(learner)
    assert css(learner, "#export-link").get_attribute("download") is not None
    assert fetch_status(learner, "/api/v1/me/export") == 200
    learner.shot("my-data")

    css(learner, "#erase-confirm").send_keys("someone-else@alpha.example")
    css(learner, "#erase-form button[type=submit]").click()
    wait(learner, lambda d: css(learner, "#erase-form .error").text)
    assert css(learner, "#erase-confirm").get_attribute("aria-invalid") == "true"
    assert "/me/data" in learner.path  # nothing happened

    box = css(learner, "#erase-confirm")
    box.clear()
    box.send_keys(person.email)
    css(learner, "#erase-form button[type=submit]").click()
    wait(learner, lambda d: all_css(learner, "#erased-notice"))
    assert learner.path.startswith("/login")
    learner.shot("erased")

    log_in(learner, person)
    assert all_css(learner, "#login-error")  # the account no longer opens
    assert learner.console_errors("401", "400") == []
