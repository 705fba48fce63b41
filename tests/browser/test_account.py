"""One's own account in a real browser: "forgot your password?" through a real SMTP server,
and the /account page (language, then password, which closes the other devices' sessions)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.db.models.enums import Role
from tests.browser.conftest import Browser, Server, add_person
from tests.browser.test_loop import all_css, css, log_in, wait
from tests.support import PASSWORD


def _link(server: Server, address: str) -> str | None:
    try:
        return server.inbox.link_to(address)
    except AssertionError:
        return None  # the outbox polls every 0.2 s


def test_a_person_who_forgot_their_password_sets_a_new_one(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    person = add_person(server, "forgot", Role.COACH)
    browser = open_browser("forgot")
    browser.go("/login")
    css(browser, "#forgot-link").click()
    wait(browser, lambda d: all_css(browser, "#forgot-form"))
    css(browser, "#organization").send_keys(person.org_slug)
    css(browser, "#email").send_keys(person.email.upper())  # as typed, not as stored
    css(browser, "#forgot-form button[type=submit]").click()
    sent = wait(browser, lambda d: css(browser, "#forgot-sent")).text
    assert "If this address has an account" in sent  # the same words for an unknown address
    browser.shot("forgot-sent")

    link = wait(browser, lambda d: _link(server, person.email), timeout=20)
    new_password = "mon nouveau mot de passe"
    browser.driver.get(link)
    css(browser, "#password").send_keys(new_password)
    css(browser, "#confirm").send_keys("une faute de frappe")
    css(browser, "#password-form button[type=submit]").click()
    assert "differ" in wait(browser, lambda d: css(browser, "#confirm-error")).text
    css(browser, "#password").send_keys(new_password)  # the form kept the link's token
    css(browser, "#confirm").send_keys(new_password)
    css(browser, "#password-form button[type=submit]").click()
    wait(browser, lambda d: all_css(browser, "#password-set-notice"))
    log_in(browser, person, PASSWORD)
    assert all_css(browser, "#login-error")  # the old password no longer opens
    log_in(browser, person, new_password)
    assert browser.path == "/coach"
    assert browser.console_errors("401", "400") == []


def test_the_account_page_changes_language_then_password(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    person = add_person(server, "account", Role.LEARNER)
    other_device = open_browser("other-device")
    other_device.go("/login")
    log_in(other_device, person)
    browser = open_browser("account")
    browser.go("/login")
    log_in(browser, person)
    css(browser, "#account-link").click()
    wait(browser, lambda d: all_css(browser, "#profile-form"))
    assert css(browser, "#account-email").text == person.email

    css(browser, "#locale option[value='en']").click()
    css(browser, "#profile-form button[type=submit]").click()
    wait(browser, lambda d: all_css(browser, "#account-saved"))
    assert css(browser, "html").get_attribute("lang") == "en"
    browser.shot("account-language")

    # A wrong current password: refused beside the field, nothing changes.
    css(browser, "#current_password").send_keys("not my password")
    css(browser, "#password").send_keys("a new long passphrase")
    css(browser, "#confirm").send_keys("a new long passphrase")
    css(browser, "#password-change-form button[type=submit]").click()
    error = wait(browser, lambda d: css(browser, "#current_password-error")).text
    assert "not your current password" in error
    assert css(browser, "#current_password").get_attribute("aria-invalid") == "true"

    css(browser, "#current_password").send_keys(PASSWORD)
    css(browser, "#password").send_keys("a new long passphrase")
    css(browser, "#confirm").send_keys("a new long passphrase")
    css(browser, "#password-change-form button[type=submit]").click()
    assert "other devices" in wait(browser, lambda d: css(browser, "#account-saved")).text
    browser.go("/me")
    assert browser.path == "/me"  # this session stays
    other_device.go("/me")
    assert other_device.path.startswith("/login")  # the other device's session ended
    assert browser.console_errors("400", "403") == []


def test_the_account_page_makes_shows_once_and_revokes_a_calendar_link(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    person = add_person(server, "calendar", Role.LEARNER)
    browser = open_browser("calendar")
    browser.go("/login")
    log_in(browser, person)
    browser.go("/account")
    assert "Aucun lien" in css(browser, "#calendar-state").text
    css(browser, "#calendar-form button[type=submit]").click()
    field = wait(browser, lambda d: css(browser, "#calendar-url"))
    url = field.get_attribute("value")
    assert url.endswith(".ics")
    assert "/calendar/" in url
    css(browser, "#calendar-copy").click()  # the clipboard may be refused; nothing breaks
    browser.shot("calendar-url")
    feed = httpx.get(server.url + url[url.index("/calendar/") :])
    assert feed.status_code == 200
    assert feed.text.startswith("BEGIN:VCALENDAR\r\n")

    browser.go("/account")  # shown once: a reload shows only that a link is active
    assert not all_css(browser, "#calendar-url")
    assert "actif" in css(browser, "#calendar-state").text
    css(browser, "#calendar-revoke-form button[type=submit]").click()
    assert "révoqué" in wait(browser, lambda d: css(browser, "#account-saved")).text
    assert httpx.get(server.url + url[url.index("/calendar/") :]).status_code == 404
    assert browser.console_errors() == []
