"""The whole loop in a real browser, and the pages' refusals.

A coach logs a session, reviews the plan's drafts (edits one, approves two, rejects one); the
learner sees exactly the approved and edited ones, answers one, chats and opens a citation;
the coach reads the brief. The learner cannot open the review queue; the admin cannot open a
conversation; a lost session keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Message
from app.db.models.enums import MessageRole, MessageStatus
from tests.browser.conftest import Browser, Server
from tests.support import PASSWORD, Person, run_db

PLAN_TIMEOUT_S = 90
CHAT_MESSAGE = "Comment donner un retour direct à un collègue sans le froisser ?"
EDITED = "Quelle valeur de l'entreprise vous aide à dire les choses franchement ? (édité)"
REASON = "Trop proche de la question précédente."
DISTRESS = "Franchement certains soirs je me dis que ce serait plus simple si je n'étais plus là."


def wait(b: Browser, condition: Callable[[Any], Any], timeout: float = 15) -> Any:
    """Until `condition` holds. An element gone stale (the page reloaded between finding it
    and reading it, as after a form's redirect) means "not yet", like one not found."""

    def settled(driver: Any) -> Any:
        try:
            return condition(driver)
        except WebDriverException as exc:
            # The same race, when Chromium's inspector sees it first: "unknown error: Node
            # with given id does not belong to the document" instead of a stale element.
            if "does not belong to the document" in str(exc.msg):
                return False
            raise

    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(b.driver, timeout, ignored_exceptions=ignored).until(settled)


def css(b: Browser | WebElement, selector: str) -> WebElement:
    root = b.driver if isinstance(b, Browser) else b
    return root.find_element(By.CSS_SELECTOR, selector)


def all_css(b: Browser | WebElement, selector: str) -> list[WebElement]:
    root = b.driver if isinstance(b, Browser) else b
    return list(root.find_elements(By.CSS_SELECTOR, selector))


def log_in(b: Browser, person: Person, password: str = PASSWORD) -> None:
    for field, value in (("organization", person.org_slug), ("email", person.email)):
        box = css(b, f"#{field}")
        box.clear()
        box.send_keys(value)
    css(b, "#password").send_keys(password)
    css(b, "#login-form button[type=submit]").click()
    wait(b, lambda d: "/login" not in d.current_url or all_css(b, "#login-error"))


def fetch_status(b: Browser, path: str) -> int:
    """What the JSON API answers this browser's session (cookie included)."""
    script = (
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => done(r.status));"
    )
    return int(b.driver.execute_async_script(script, path))


def no_horizontal_scroll(b: Browser) -> bool:
    return bool(
        b.driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1"
        )
    )


def coach_logs_a_session(coach: Browser, learner: Person) -> str:
    coach.go(f"/coach/sessions/new?learner={learner.id}")
    css(coach, "#notes").send_keys("Léa veut oser dire les désaccords en réunion d'équipe.")
    css(coach, "#goal").send_keys("Donner des retours plus directs à mon équipe.")
    css(coach, "#focus_skills").send_keys("feedback, écoute")
    css(coach, "#agreed_actions").send_keys(
        "Demander un retour à un pair chaque semaine.\nNoter une situation de désaccord."
    )
    coach.shot("1-session-form")
    css(coach, "#session-form button[type=submit]").click()
    progress = wait(
        coach, lambda d: css(coach, "#plan-progress[data-status='done']"), PLAN_TIMEOUT_S
    )
    coach.shot("2-plan-done")
    session_id = str(progress.get_attribute("data-session-id"))
    css(coach, "#plan-review").click()
    wait(coach, lambda d: "/coach/review" in d.current_url)
    return session_id


def coach_reviews(coach: Browser, session_id: str) -> dict[str, str]:
    """Edits the first draft, approves two, rejects one; returns id -> what the learner sees."""
    drafts = all_css(coach, f"article.draft[data-session-id='{session_id}']")
    assert len(drafts) >= 4, f"the plan drafted {len(drafts)} items"
    ids = [str(d.get_attribute("data-suggestion-id")) for d in drafts]
    edited, approved, rejected = drafts[0], drafts[1:3], drafts[3]
    # The rationale and the cited passages sit beside each draft.
    assert css(edited, ".rationale").text.strip()
    assert all_css(edited, ".draft-sources .source blockquote")

    css(edited, "[data-action=edit]").click()
    box = css(edited, ".edit textarea")
    box.clear()
    box.send_keys(EDITED)
    css(edited, "[data-action=save-edit]").click()
    wait(coach, lambda d: edited.get_attribute("data-state") == "edited")
    css(approved[0], "[data-action=approve]").click()  # one by its own button...
    wait(coach, lambda d: approved[0].get_attribute("data-state") == "approved")
    css(approved[1], ".pick").click()  # ...one as a selection
    css(coach, "#approve-selected").click()
    wait(coach, lambda d: approved[1].get_attribute("data-state") == "approved")
    css(rejected, "[data-action=reject]").click()
    css(rejected, "[data-action=confirm-reject]").click()  # no reason yet: refused, said so
    assert css(rejected, ".error").text.strip()
    css(rejected, ".reject textarea").send_keys(REASON)
    css(rejected, "[data-action=confirm-reject]").click()
    wait(coach, lambda d: rejected.get_attribute("data-state") == "rejected")
    coach.shot("3-review-decided")

    css(approved[0], "button.cite").click()  # the exact passage behind a citation
    wait(coach, lambda d: css(coach, "dialog#passage").get_attribute("data-loaded") == "passage")
    assert css(coach, "#passage-text").text.strip()
    coach.shot("4-review-passage")
    css(coach, "dialog#passage").send_keys(Keys.ESCAPE)
    wait(coach, lambda d: not css(coach, "dialog#passage").get_attribute("open"))
    texts = {ids[0]: EDITED}
    for suggestion_id, card in zip(ids[1:3], approved, strict=True):
        texts[suggestion_id] = str(css(card, "[data-role=text]").text)
    return texts


def learner_answers_and_chats(learner: Browser, visible: dict[str, str]) -> None:
    items = all_css(learner, "article.item")
    assert {str(i.get_attribute("data-item-id")) for i in items} == set(visible)
    for item in items:
        assert css(item, ".text").text == visible[str(item.get_attribute("data-item-id"))]
    assert css(learner, "#what-coach-sees").text
    learner.shot("6-feed")

    item_id = next(iter(visible))
    css(learner, f"#answer-{item_id}").send_keys(
        "Je l'ai fait lundi : j'ai osé dire non au planning."
    )
    css(learner, f"#item-{item_id} .answer-form button[type=submit]").click()
    wait(learner, lambda d: all_css(learner, f"#item-{item_id} blockquote.answer"))
    learner.shot("7-answered")

    learner.go("/me/chat")
    css(learner, "#message").send_keys(CHAT_MESSAGE)
    css(learner, "#send").click()
    reply = wait(
        learner,
        lambda d: css(learner, "li.message.assistant[data-status='replied']"),
        timeout=300,
    )
    assert "/me/chat/" in learner.path  # the address now names the conversation
    content = css(reply, ".content")
    assert content.text.strip()
    # The reply is text, never markup.
    assert learner.driver.execute_script("return arguments[0].children.length", content) == 0
    citations = all_css(reply, "button.cite")
    assert citations, content.text
    learner.shot("8-chat-reply")
    citations[0].click()
    wait(
        learner, lambda d: css(learner, "dialog#passage").get_attribute("data-loaded") == "passage"
    )
    assert css(learner, "#passage-text").text.strip()
    assert all_css(learner, "#passage-text mark")  # the quoted words are marked in the passage
    learner.shot("9-chat-passage")
    css(learner, "dialog#passage").send_keys(Keys.ESCAPE)


def test_the_loop_from_session_to_brief(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    learner_person = alpha.learners[0]
    coach = open_browser("coach")

    coach.go("/coach/review")
    assert coach.path.startswith("/login?next=/coach/review")
    lang = "return document.documentElement.lang"
    assert coach.driver.execute_script(lang) == "en"  # the browser's language, before login
    coach.shot("0-login")
    log_in(coach, alpha.coach, password="not the password")
    assert css(coach, "#login-error").text  # says what to check
    assert css(coach, "#email").get_attribute("value") == alpha.coach.email  # kept
    coach.shot("0-login-error")
    log_in(coach, alpha.coach)
    assert coach.path == "/coach/review"  # back where the coach was going
    assert coach.driver.execute_script(lang) == "fr"  # then the coach's own (User.locale)
    coach.go("/coach")
    row = css(coach, f"tr[data-learner-id='{learner_person.id}']")
    assert row.text
    coach.shot("0-learners")

    session_id = coach_logs_a_session(coach, learner_person)
    visible = coach_reviews(coach, session_id)
    coach.go("/coach")
    coach.shot("5-learners-after-review")

    learner = open_browser("learner")
    learner.go("/")
    log_in(learner, learner_person)
    assert learner.path == "/me"
    learner_answers_and_chats(learner, visible)

    coach.go(f"/coach/learners/{learner_person.id}/brief")
    css(coach, "#write-brief").click()
    brief = wait(coach, lambda d: css(coach, "article#brief"), timeout=30)
    assert int(str(brief.get_attribute("data-evidence-count"))) >= 1  # the answer
    assert all_css(brief, "li")
    coach.shot("10-brief")

    assert coach.console_errors("/login - Failed to load resource") == []  # the wrong password
    assert learner.console_errors() == []


def test_a_learner_cannot_open_the_review_queue(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    learner = open_browser("learner")
    learner.go("/login")
    log_in(learner, server.worlds[0].learners[1])
    learner.go("/coach/review")
    assert css(learner, "#error-page").get_attribute("data-status") == "403"
    assert not all_css(learner, "article.draft")
    learner.shot("review-refused")
    assert fetch_status(learner, "/api/v1/suggestions") == 403
    assert learner.console_errors("status of 403") == []


def test_an_admin_cannot_open_a_conversation(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    created = httpx.post(
        f"{server.url}/api/v1/conversations",
        json={"title": "Privée"},
        headers={"Authorization": f"Bearer {alpha.learners[1].api_key}"},
    )
    assert created.status_code == 201, created.text
    conversation_id = created.json()["id"]
    admin = open_browser("admin")
    admin.go("/login")
    log_in(admin, alpha.admin)
    assert admin.path == "/admin"
    admin.go(f"/me/chat/{conversation_id}")
    assert css(admin, "#error-page").get_attribute("data-status") == "403"
    assert "Privée" not in admin.driver.page_source
    admin.shot("conversation-refused")
    assert fetch_status(admin, f"/api/v1/conversations/{conversation_id}/messages") == 403
    assert admin.console_errors("status of 403") == []


def test_a_coach_acknowledges_an_escalation(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    learner_key = {"Authorization": f"Bearer {alpha.learners[1].api_key}"}
    conversation = httpx.post(
        f"{server.url}/api/v1/conversations", json={}, headers=learner_key
    ).json()
    turn = httpx.post(
        f"{server.url}/api/v1/conversations/{conversation['id']}/messages",
        json={"content": DISTRESS},
        headers=learner_key,
        timeout=60,
    )
    assert turn.status_code == 201, turn.text
    coach = open_browser("coach")
    coach.go("/coach")
    log_in(coach, alpha.coach)
    row = css(coach, f"tr[data-learner-id='{alpha.learners[1].id}']")
    assert css(row, "a.alert-text").text == "1"
    alert = css(coach, "li[data-escalation-id]")
    assert DISTRESS not in coach.driver.page_source  # the category, never the message
    coach.shot("alert")
    css(alert, "button[data-action=acknowledge]").click()
    wait(coach, lambda d: alert.get_attribute("data-state") == "acknowledged")
    coach.go("/coach")
    assert not all_css(coach, "li[data-escalation-id]")
    assert coach.console_errors() == []


def test_a_failed_reply_can_be_retried(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    alpha = server.worlds[0]
    created = httpx.post(
        f"{server.url}/api/v1/conversations",
        json={"title": "Retours"},
        headers={"Authorization": f"Bearer {alpha.learners[1].api_key}"},
    ).json()

    async def failed_message(db: AsyncSession) -> None:
        # What a model failure leaves behind: the message, stored, and why it has no reply.
        db.add(
            Message(
                organization_id=alpha.id,
                conversation_id=created["id"],
                role=MessageRole.LEARNER,
                content=CHAT_MESSAGE,
                status=MessageStatus.FAILED,
                error="The model did not answer in time.",
            )
        )

    run_db(server.settings, failed_message)
    learner = open_browser("learner")
    learner.go(f"/me/chat/{created['id']}")
    log_in(learner, alpha.learners[1])
    failed = css(learner, "li.message.learner[data-status='failed']")
    assert "did not answer in time" in failed.text
    learner.shot("failed")
    css(failed, "button.retry").click()
    reply = wait(learner, lambda d: css(learner, "li.message.assistant[data-status='replied']"))
    assert failed.get_attribute("data-status") == "replied"
    assert not all_css(failed, "button.retry")
    assert css(reply, ".content").text.strip()
    learner.shot("retried")
    assert learner.console_errors() == []


def test_a_lost_session_keeps_the_typed_message(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    person = server.worlds[0].learners[1]
    learner = open_browser("learner")
    learner.go("/me/chat")
    log_in(learner, person)
    assert learner.path == "/me/chat"
    draft = "Un message long que je ne veux surtout pas retaper."
    css(learner, "#message").send_keys(draft)
    learner.driver.delete_cookie("interlude_session")  # the session ends while typing
    css(learner, "#send").click()
    wait(learner, lambda d: "/login" in d.current_url)
    assert all_css(learner, "p.notice")  # "your session has ended"
    learner.shot("expired")
    log_in(learner, person)
    assert learner.path == "/me/chat"
    assert css(learner, "#message").get_attribute("value") == draft
    assert learner.console_errors("status of 401") == []


def test_the_learner_pages_fit_a_phone_and_logout_ends_the_session(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    learner = open_browser("phone", phone=True)
    learner.go("/login")
    assert learner.driver.execute_script("return window.innerWidth") < 500
    assert no_horizontal_scroll(learner)
    log_in(learner, server.worlds[0].learners[1])
    for path, name in (("/me", "home"), ("/me/chat", "chat")):
        learner.go(path)
        assert no_horizontal_scroll(learner), path
        learner.shot(name)
    token = learner.driver.get_cookie("interlude_session")["value"]
    css(learner, "form.logout button").click()
    wait(learner, lambda d: learner.path == "/login")
    learner.go("/me")
    assert learner.path == "/login?next=/me"  # logged out: the cookie is gone
    learner.driver.add_cookie({"name": "interlude_session", "value": token, "path": "/"})
    learner.go("/me")
    assert learner.path == "/login?next=/me&expired=1"  # and the session is over server-side
    assert learner.console_errors() == []
