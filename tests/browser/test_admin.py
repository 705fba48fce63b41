"""The admin pages in a real browser: knowledge, people and enrollments, API keys, policy.

Each test seeds its own organisation while the server runs (its admin, coaches, learners and
program), so what it uploads, adds, revokes or changes never reaches the other browser tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Document
from app.db.models.enums import DocumentStatus, Language, Role
from app.domain.people.services import add_user
from app.lib.security import Passwords
from tests.browser.conftest import SCREENSHOTS, Browser, Server
from tests.browser.test_loop import all_css, css, fetch_status, log_in, no_horizontal_scroll, wait
from tests.support import PASSWORD, OrgWorld, Person, build_org, run_db

INDEX_TIMEOUT_S = 90
ADMIN_PAGES = (
    "/admin",
    "/admin/people",
    "/admin/api-keys",
    "/admin/integrations",
    "/admin/policy",
)
RITUAL = """---
title: Le rituel du jeudi
---
# Le rituel du jeudi

Chaque jeudi matin, l'équipe Zéphyrine partage une réussite et une difficulté de la semaine.
Personne ne coupe la parole ; on remercie avant de répondre. Ce rituel apprend à donner et à
recevoir un retour sans détour, dans la confiance.
"""


@pytest.fixture
def world(server: Server) -> OrgWorld:
    passwords = Passwords.from_settings(server.settings)
    slug = f"admin-{uuid4().hex[:8]}"
    return run_db(server.settings, lambda db: build_org(db, passwords, slug))


def _mailed_link(server: Server, address: str) -> str | None:
    try:
        return server.inbox.link_to(address)
    except AssertionError:
        return None  # not sent yet: the outbox polls every 0.2 s


def admin_browser(open_browser: Callable[..., Browser], world: OrgWorld, **kw: bool) -> Browser:
    admin = open_browser("admin", **kw)
    admin.go("/login")
    log_in(admin, world.admin)
    assert admin.path == "/admin"
    return admin


def confirm(b: Browser) -> None:
    wait(b, lambda d: css(b, "dialog#confirm").get_attribute("open") is not None)
    css(b, "#confirm-ok").click()


def submit_and_reload(b: Browser, button: str) -> None:
    """Click, then wait for the page the script reloads once the API has said yes."""
    before = css(b, "html")
    css(b, button).click()
    wait(b, _reloaded(before))


def _reloaded(before: Any) -> Callable[[Any], bool]:
    """`staleness_of`, also when Chromium reports the old node as foreign to the new document
    instead of stale (a race of a fast reload, seen in CI)."""
    stale = staleness_of(before)

    def check(driver: Any) -> bool:
        try:
            return bool(stale(driver))
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise

    return check


def fetch_json(b: Browser, path: str) -> object:
    script = (
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.json()).then(done);"
    )
    return b.driver.execute_async_script(script, path)


def upload(b: Browser, path: Path, kind: str = "", language: str = "") -> None:
    css(b, "#file").send_keys(str(path))
    if kind:
        Select(css(b, "#kind")).select_by_value(kind)
    if language:
        Select(css(b, "#language")).select_by_value(language)
    css(b, "#upload-form button[type=submit]").click()


def test_a_document_is_uploaded_indexed_found_and_deleted(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld, tmp_path: Path
) -> None:
    admin = admin_browser(open_browser, world)
    assert css(admin, "#no-documents").is_displayed()
    admin.shot("0-knowledge-empty")
    ritual = tmp_path / "rituel-du-jeudi.md"
    ritual.write_text(RITUAL, encoding="utf-8")
    upload(admin, ritual, kind="culture", language="fr")
    progress = wait(
        admin,
        lambda d: css(admin, "#upload-progress[data-state='indexed']"),
        INDEX_TIMEOUT_S,
    )
    assert css(progress, "#upload-bar").get_attribute("value") == "100"
    assert "Le rituel du jeudi" in css(admin, "#upload-status").text
    row = css(admin, "#documents tbody tr")
    assert row.get_attribute("data-status") == "indexed"
    assert css(row, "[data-role=title]").text == "Le rituel du jeudi"
    assert css(row, "[data-role=kind]").text == "Culture"
    admin.shot("1-knowledge-indexed")

    admin.go("/admin")  # the list as the server renders it
    row = css(admin, "#documents tbody tr")
    assert row.get_attribute("data-status") == "indexed"
    document_id = row.get_attribute("data-document-id")

    css(admin, "#q").send_keys("Que fait l'équipe Zéphyrine chaque jeudi ?")
    css(admin, "#search-form button[type=submit]").click()
    first = wait(admin, lambda d: css(admin, "#search-results li.passage"))
    assert first.get_attribute("data-document-id") == document_id
    assert "rituel-du-jeudi.md" in css(first, ".meta").text
    assert "score" in css(first, ".meta").text
    assert "Zéphyrine" in css(first, ".passage-text").text
    admin.shot("2-knowledge-search")

    # Deleting asks first; Escape keeps the document.
    css(row, "button[data-action=delete-document]").click()
    wait(admin, lambda d: css(admin, "dialog#confirm").get_attribute("open") is not None)
    assert "Le rituel du jeudi" in css(admin, "#confirm-text").text
    admin.shot("3-knowledge-confirm-delete")
    css(admin, "dialog#confirm").send_keys(Keys.ESCAPE)
    wait(admin, lambda d: css(admin, "dialog#confirm").get_attribute("open") is None)
    assert all_css(admin, f"tr[data-document-id='{document_id}']")
    css(row, "button[data-action=delete-document]").click()
    confirm(admin)
    wait(admin, lambda d: not all_css(admin, f"tr[data-document-id='{document_id}']"))
    assert css(admin, "#no-documents").is_displayed()
    assert "Le rituel du jeudi" in css(admin, "#documents-status").text
    assert fetch_json(admin, "/api/v1/knowledge/documents") == {"items": [], "next_cursor": None}
    admin.go("/admin")
    assert not all_css(admin, "#documents tbody tr")
    assert admin.console_errors() == []


def test_a_bad_file_says_why_beside_the_field(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld, tmp_path: Path
) -> None:
    async def failed_document(db: AsyncSession) -> None:
        # What the indexer leaves when a stored file cannot be indexed after all.
        db.add(
            Document(
                organization_id=world.id,
                name="ancien-guide.pdf",
                status=DocumentStatus.FAILED,
                error="This PDF is password-protected. Upload an unprotected copy.",
            )
        )

    run_db(server.settings, failed_document)
    admin = admin_browser(open_browser, world)
    failed = css(admin, "#documents tr[data-status='failed']")
    assert "password-protected" in css(failed, "[data-role=reason]").text
    assert css(failed, "[data-role=status]").text == "Échec"

    empty = tmp_path / "vide.md"
    empty.write_bytes(b"")
    upload(admin, empty, kind="value")
    note = wait(admin, lambda d: css(admin, "#file-error"))
    assert "empty" in note.text  # the API's own reason
    assert css(admin, "#file").get_attribute("aria-invalid") == "true"
    assert "file-error" in str(css(admin, "#file").get_attribute("aria-describedby"))
    assert css(admin, "#upload-progress").get_attribute("data-state") == "refused"
    admin.shot("bad-file-empty")

    table = tmp_path / "chiffres.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    css(admin, "#file").send_keys(str(table))
    css(admin, "#upload-form button[type=submit]").click()
    wait(admin, lambda d: "Unsupported file type '.csv'" in css(admin, "#file-error").text)
    admin.shot("bad-file-type")
    assert len(all_css(admin, "#documents tbody tr")) == 1  # nothing was stored
    assert admin.console_errors("status of 400") == []


def test_an_admin_adds_a_person_and_enrolls_them(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld
) -> None:
    admin = admin_browser(open_browser, world)
    admin.go("/admin/people")
    assert css(admin, "h3#role-learner .badge").text == "2"
    admin.shot("0-people")
    email = f"zoe.{world.slug}@example.org"
    assert not all_css(admin, "#person-form #password")  # admins never choose a password
    for field, value in (("display_name", "Zoé Martin"), ("email", email)):
        css(admin, f"#{field}").send_keys(value)
    Select(css(admin, "#role")).select_by_value("learner")
    Select(css(admin, "#locale")).select_by_value("en")
    submit_and_reload(admin, "#person-form button[type=submit]")
    flash = wait(admin, lambda d: css(admin, "#flash").text)
    assert "Zoé Martin" in flash
    assert email in flash  # "the invitation is on its way to ..."
    row = css(admin, "tr[data-name='Zoé Martin']")
    assert row.get_attribute("data-role") == "learner"
    assert row.get_attribute("data-pending") == "true"
    assert css(admin, "h3#role-learner .badge").text == "3"

    # Zoé opens the e-mailed link in her own browser and chooses her password.
    link = wait(admin, lambda d: _mailed_link(server, email), timeout=20)
    password = "un mot de passe assez long"
    zoe = open_browser("invited")
    zoe.driver.get(link)
    assert "#token=" not in zoe.driver.current_url  # the script took the token out of sight
    css(zoe, "#password").send_keys(password)
    css(zoe, "#confirm").send_keys(password)
    css(zoe, "#password-form button[type=submit]").click()
    wait(zoe, lambda d: all_css(zoe, "#password-set-notice"))
    zoe.shot("invitation-accepted")
    log_in(zoe, Person(UUID(int=0), email, Role.LEARNER, world.slug, ""), password)
    assert zoe.path == "/me"
    assert css(zoe, "html").get_attribute("lang") == "en"  # the language the admin chose
    zoe.go(link.removeprefix(server.url))  # the same link again: refused, with a way out
    css(zoe, "#password").send_keys(password)
    css(zoe, "#confirm").send_keys(password)
    css(zoe, "#password-form button[type=submit]").click()
    assert "/password/forgot" in wait(zoe, lambda d: css(zoe, "#password-error a")).get_attribute(
        "href"
    )

    # The same email again: the API's reason, beside the email field.
    css(admin, "#display_name").send_keys("Zoé Bis")
    css(admin, "#email").send_keys(email.upper())
    css(admin, "#person-form button[type=submit]").click()
    note = wait(admin, lambda d: css(admin, "#email-error"))
    assert "already has this email" in note.text
    assert admin.driver.switch_to.active_element.get_attribute("id") == "email"
    admin.shot("1-people-duplicate-email")

    # Edit in the dialog.
    css(row, "button[data-action=edit-person]").click()
    name_box = css(admin, "#edit-display_name")
    name_box.clear()
    name_box.send_keys("Zoé Martin-Durand")
    admin.shot("2-people-edit")
    submit_and_reload(admin, "#person-edit-form button[type=submit]")
    zoe_id = css(admin, "tr[data-name='Zoé Martin-Durand']").get_attribute("data-user-id")

    # Enroll her with the idle coach in the program, then end the enrollment.
    Select(css(admin, "#learner_id")).select_by_value(str(zoe_id))
    Select(css(admin, "#coach_id")).select_by_value(str(world.idle_coach.id))
    Select(css(admin, "#program_id")).select_by_value(str(world.program_id))
    css(admin, "#goal").send_keys("Oser dire non en réunion.")
    submit_and_reload(admin, "#enrollment-form button[type=submit]")
    assert wait(admin, lambda d: css(admin, "#flash").text)
    enrolled = [r for r in all_css(admin, "#enrollments tbody tr") if "Zoé Martin-Durand" in r.text]
    assert len(enrolled) == 1
    assert "Idle-Coach" in enrolled[0].text
    assert enrolled[0].get_attribute("data-active") == "true"
    admin.shot("3-people-enrolled")
    # Enrolled twice in one program: refused, and said beside the program.
    Select(css(admin, "#learner_id")).select_by_value(str(zoe_id))
    Select(css(admin, "#program_id")).select_by_value(str(world.program_id))
    css(admin, "#enrollment-form button[type=submit]").click()
    assert "already enrolled" in wait(admin, lambda d: css(admin, "#program_id-error")).text

    enrollment_id = enrolled[0].get_attribute("data-enrollment-id")
    css(enrolled[0], "button[data-action=end-enrollment]").click()
    confirm(admin)
    ended = wait(
        admin, lambda d: css(admin, f"tr[data-enrollment-id='{enrollment_id}'][data-active=false]")
    )
    assert all_css(ended, "button[data-action=resume-enrollment]")
    enrollment = fetch_json(admin, f"/api/v1/enrollments/{enrollment_id}")
    assert isinstance(enrollment, dict)
    assert enrollment["is_active"] is False
    admin.shot("4-people-enrollment-ended")

    # Deactivate her: she can no longer log in.
    css(admin, f"tr[data-user-id='{zoe_id}'] button[data-action=deactivate-person]").click()
    confirm(admin)
    wait(admin, lambda d: css(admin, f"tr[data-user-id='{zoe_id}'][data-active=false]"))
    login = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"organization": world.slug, "email": email, "password": "un mot de passe assez long"},
    )
    assert login.status_code == 401
    # No button to lock oneself out.
    mine = css(admin, f"tr[data-user-id='{world.admin.id}']")
    assert not all_css(mine, "button[data-action=deactivate-person]")
    assert admin.console_errors("status of 409") == []


def test_an_api_key_is_shown_once_works_and_is_revoked(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld
) -> None:
    admin = admin_browser(open_browser, world)
    admin.go("/admin/api-keys")
    seeded = len(all_css(admin, "#keys tbody tr"))
    admin.shot("0-keys")
    css(admin, "#key-name").send_keys("Intranet RH")
    for box in all_css(admin, "#key-form input[name=scopes]"):
        box.click()  # none ticked: refused before asking the API
    css(admin, "#key-form button[type=submit]").click()
    assert "au moins un droit" in wait(admin, lambda d: css(admin, "#key-form .field-error")).text
    for box in all_css(admin, "#key-form input[name=scopes]"):
        box.click()
    css(admin, "#key-form button[type=submit]").click()
    panel = wait(admin, lambda d: css(admin, "#key-secret:not([hidden])"))
    secret = str(css(admin, "#key-secret-value").get_attribute("value"))
    assert secret
    assert "ne sera plus jamais affichée" in css(panel, ".notice").text
    css(admin, "#copy-secret").click()
    wait(admin, lambda d: css(admin, "#copy-status").text.strip())
    admin.shot("1-keys-secret-once")
    rows = all_css(admin, "#keys tbody tr")
    assert len(rows) == seeded + 1
    created = rows[0]
    assert created.get_attribute("data-name") == "Intranet RH"
    assert secret.startswith(css(created, "[data-role=prefix]").text.rstrip("…"))

    bearer = {"Authorization": f"Bearer {secret}"}
    me = httpx.get(f"{server.url}/api/v1/me", headers=bearer)
    assert me.status_code == 200, me.text
    assert me.json()["user"]["email"] == world.admin.email
    assert me.json()["via"] == "api_key"

    admin.go("/admin/api-keys")  # never again
    assert not css(admin, "#key-secret").is_displayed()
    assert secret not in admin.driver.page_source
    key_id = str(css(admin, "#keys tbody tr[data-name='Intranet RH']").get_attribute("data-key-id"))
    row = css(admin, f"tr[data-key-id='{key_id}']")
    css(row, "button[data-action=revoke-key]").click()
    confirm(admin)
    wait(admin, lambda d: row.get_attribute("data-state") == "revoked")
    assert not all_css(row, "button[data-action=revoke-key]")
    assert "Intranet RH" in css(admin, "#keys-status").text
    admin.shot("2-keys-revoked")
    assert httpx.get(f"{server.url}/api/v1/me", headers=bearer).status_code == 401
    admin.go("/admin/api-keys")
    assert css(admin, f"tr[data-key-id='{key_id}']").get_attribute("data-state") == "revoked"
    assert admin.console_errors() == []


def test_policy_resources_and_languages_are_saved(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld
) -> None:
    admin = admin_browser(open_browser, world)
    admin.go("/admin/policy")
    assert not all_css(admin, "#resources li")
    admin.shot("0-policy-empty")
    for label, contact in (("Ligne d'écoute", "0800 000 000"), ("", "rh@exemple.fr")):
        css(admin, "#add-resource").click()
        item = all_css(admin, "#resources li")[-1]
        assert admin.driver.switch_to.active_element == css(item, "input[data-part=label]")
        css(item, "input[data-part=label]").send_keys(label)
        css(item, "input[data-part=contact]").send_keys(contact)
    css(admin, "#add-resource").click()  # a blank row is dropped, not refused
    css(admin, "#add-resource-support").click()  # each safety tier has its own list
    support = all_css(admin, "#resources-support li")[-1]
    css(support, "input[data-part=label]").send_keys("Programme d'aide aux salariés")
    css(support, "input[data-part=contact]").send_keys("0800 111 222")
    css(admin, "#policy-form button[type=submit]").click()
    note = wait(admin, lambda d: css(admin, "#resource-1-label-error"))
    assert note.text.strip()
    assert admin.driver.switch_to.active_element.get_attribute("id") == "resource-1-label"
    css(admin, "#resource-1-label").send_keys("Ressources humaines")
    css(admin, "#link_hosts").send_keys("intranet.exemple.fr\nnot a host")
    css(admin, "input[name='policy.languages'][value=en]").click()  # French only
    css(admin, "#policy-form button[type=submit]").click()
    # The API refuses the second host; its message sits beside the box.
    assert wait(admin, lambda d: css(admin, "#link_hosts-error")).text.strip()
    assert css(admin, "#link_hosts").get_attribute("aria-invalid") == "true"
    admin.shot("1-policy-error")
    box = css(admin, "#link_hosts")
    box.clear()
    box.send_keys("intranet.exemple.fr")
    css(admin, "#policy-form button[type=submit]").click()
    wait(admin, lambda d: css(admin, "#policy-form .outcome").text.strip())
    assert not all_css(admin, ".field-error")

    admin.go("/admin/policy")
    items = all_css(admin, "#resources li")
    saved = [
        (
            css(i, "input[data-part=label]").get_attribute("value"),
            css(i, "input[data-part=contact]").get_attribute("value"),
        )
        for i in items
    ]
    assert saved == [("Ligne d'écoute", "0800 000 000"), ("Ressources humaines", "rh@exemple.fr")]
    assert css(admin, "input[name='policy.languages'][value=fr]").is_selected()
    assert not css(admin, "input[name='policy.languages'][value=en]").is_selected()
    assert css(admin, "#link_hosts").get_attribute("value") == "intranet.exemple.fr"
    organization = fetch_json(admin, "/api/v1/organization")
    assert isinstance(organization, dict)
    assert organization["policy"]["languages"] == ["fr"]
    assert organization["policy"]["support_resources"] == [
        {"label": "Programme d'aide aux salariés", "contact": "0800 111 222"}
    ]
    assert organization["policy"]["out_of_scope_resources"] == []
    assert organization["policy"]["aggregate_min_group_size"] == 5  # left as it was
    admin.shot("2-policy-saved")

    css(items[0], "button[data-action=remove-resource]").click()
    css(admin, "#policy-form button[type=submit]").click()
    wait(admin, lambda d: css(admin, "#policy-form .outcome").text.strip())
    admin.go("/admin/policy")
    assert len(all_css(admin, "#resources li")) == 1
    assert admin.console_errors("status of 400") == []


def test_the_rhythm_between_sessions_is_set_on_the_policy_page(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld
) -> None:
    admin = admin_browser(open_browser, world)
    admin.go("/admin/policy")
    assert css(admin, "#delivery_hour").get_attribute("value") == ""  # the server's setting
    assert css(admin, "input[name='policy.working_days'][value='0']").is_selected()
    assert not css(admin, "input[name='policy.working_days'][value='6']").is_selected()
    css(admin, "#delivery_hour").send_keys("10")
    css(admin, "input[name='policy.working_days'][value='4']").click()  # no Fridays
    css(admin, "#days_off").send_keys("2026-12-25\nnoël")
    css(admin, "#quiet_start").send_keys("20")
    css(admin, "#policy-form button[type=submit]").click()
    # Checked on the page, before the API: a day that is not a date, half of the quiet hours.
    assert "noël" in wait(admin, lambda d: css(admin, "#days_off-error")).text
    days = css(admin, "#days_off")
    days.clear()
    days.send_keys("2026-12-25\n2027-01-01")
    css(admin, "#policy-form button[type=submit]").click()
    assert wait(admin, lambda d: css(admin, "#quiet_start-error")).text.strip()
    css(admin, "#quiet_end").send_keys("8")
    css(admin, "#policy-form button[type=submit]").click()
    wait(admin, lambda d: css(admin, "#policy-form .outcome").text.strip())
    admin.shot("rhythm-policy-saved")

    organization = fetch_json(admin, "/api/v1/organization")
    assert isinstance(organization, dict)
    policy = organization["policy"]
    assert policy["delivery_hour"] == 10
    assert policy["working_days"] == [0, 1, 2, 3]
    assert policy["days_off"] == ["2026-12-25", "2027-01-01"]
    assert policy["quiet_hours"] == {"start": 20, "end": 8}
    admin.go("/admin/policy")
    assert css(admin, "#days_off").get_attribute("value") == "2026-12-25\n2027-01-01"
    assert not css(admin, "input[name='policy.working_days'][value='4']").is_selected()
    assert admin.console_errors() == []


def test_a_policy_saved_by_another_admin_meanwhile_is_not_overwritten(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld
) -> None:
    admin = admin_browser(open_browser, world)
    admin.go("/admin/policy")
    css(admin, "#link_hosts").send_keys("mine.exemple.fr")
    # Another admin (here through the API) saves while this page is open.
    bearer = {"Authorization": f"Bearer {world.admin.api_key}"}
    theirs = {"policy": {"link_hosts": ["theirs.exemple.fr"]}}
    saved = httpx.patch(f"{server.url}/api/v1/organization", json=theirs, headers=bearer)
    assert saved.status_code == 200, saved.text

    css(admin, "#policy-form button[type=submit]").click()

    alert = wait(admin, lambda d: css(admin, "#policy-form .error[role=alert]").text.strip())
    assert "Un autre administrateur" in alert  # the admin's locale is French
    admin.shot("3-policy-stale")
    organization = fetch_json(admin, "/api/v1/organization")
    assert isinstance(organization, dict)
    assert organization["policy"]["link_hosts"] == ["theirs.exemple.fr"]  # not overwritten
    admin.go("/admin/policy")  # as the message says: reload, then change again
    assert css(admin, "#link_hosts").get_attribute("value") == "theirs.exemple.fr"
    css(admin, "#link_hosts").send_keys("\nmine.exemple.fr")
    css(admin, "#policy-form button[type=submit]").click()
    wait(admin, lambda d: css(admin, "#policy-form .outcome").text.strip())
    organization = fetch_json(admin, "/api/v1/organization")
    assert isinstance(organization, dict)
    assert organization["policy"]["link_hosts"] == ["theirs.exemple.fr", "mine.exemple.fr"]
    assert admin.console_errors("status of 412") == []


@pytest.mark.parametrize("role", ["coach", "learner"])
def test_other_roles_get_the_403_page(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld, role: str
) -> None:
    person = world.coach if role == "coach" else world.learners[0]
    b = open_browser(role)
    b.go("/login")
    log_in(b, person)
    for path in ADMIN_PAGES:
        b.go(path)
        assert css(b, "#error-page").get_attribute("data-status") == "403", path
        assert not all_css(
            b, "form#upload-form, form#person-form, form#key-form, form#integration-form"
        )
    b.shot("admin-refused")
    assert fetch_status(b, "/api/v1/knowledge/documents") == 403
    assert fetch_status(b, "/api/v1/audit-events") == 403
    assert fetch_status(b, "/api/v1/api-keys") == 200  # their own keys only (test_auth.py)
    assert b.console_errors("status of 403") == []


def _english_admin(server: Server, world: OrgWorld) -> Person:
    passwords = Passwords.from_settings(server.settings)
    email = f"hr@{world.slug}.example"

    async def work(db: AsyncSession) -> Person:
        user = await add_user(
            db,
            passwords,
            organization_id=world.id,
            email=email,
            display_name="Harriet",
            role=Role.ADMIN,
            locale=Language.EN,
            password=PASSWORD,
        )
        return Person(user.id, email, Role.ADMIN, world.slug, "")

    return run_db(server.settings, work)


def test_the_words_follow_the_admins_locale_and_fit_a_phone(
    server: Server, open_browser: Callable[..., Browser], world: OrgWorld
) -> None:
    french = admin_browser(open_browser, world)
    english_admin = _english_admin(server, world)
    english = open_browser("admin-en", phone=True)
    english.go("/login")
    log_in(english, english_admin)
    assert english.driver.execute_script("return window.innerWidth") < 500
    expected = {
        "/admin": ("Connaissances de l'organisation", "Organisation knowledge"),
        "/admin/people": ("Personnes et inscriptions", "People and enrollments"),
        "/admin/api-keys": ("Clés d'API", "API keys"),
        "/admin/integrations": ("Intégrations", "Integrations"),
        "/admin/policy": ("Règles de l'organisation", "Organisation policy"),
    }
    for path, (fr, en) in expected.items():
        name = path.strip("/").replace("/", "-")
        for b, lang, title in ((french, "fr", fr), (english, "en", en)):
            b.go(path)
            assert b.driver.execute_script("return document.documentElement.lang") == lang
            assert css(b, "h1").text == title
            # No key shown in place of its words.
            assert not re.search(r"admin\.[a-z_]+\.[a-z_]", css(b, "body").text), path
            current = css(b, "nav a[aria-current=page]")
            assert current.get_attribute("href").endswith(path)
        assert no_horizontal_scroll(english), path
        french.shot(f"fr-{name}")
        english.shot(f"en-phone-{name}")
    # On a phone each table row becomes a card whose cells say what they are.
    english.go("/admin/people")
    people = css(english, "section[aria-labelledby=people-title]")
    english.driver.execute_script("arguments[0].scrollIntoView()", people)
    people.screenshot(str(SCREENSHOTS / f"{english.label}-en-phone-people-table.png"))
    # Keyboard: the skip link comes first and the focus is visible.
    ActionChains(english.driver).send_keys(Keys.TAB).perform()
    assert english.driver.switch_to.active_element.get_attribute("class") == "skip"
    outline = english.driver.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle"
    )
    assert outline != "none"
    assert english.driver.find_elements(By.CSS_SELECTOR, "label[for=display_name]")
    assert french.console_errors() == []
    assert english.console_errors() == []
