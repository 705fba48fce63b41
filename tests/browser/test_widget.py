"""The widget on a foreign origin, in Chromium: a host page on another loopback port (the demo
site of `interlude widget-demo`, page and backend) embeds the companion with one tag, and a
learner chats once with the keyboard alone. The same page served from an origin the integration
does not list gets nothing: the browser refuses the frame (CSP frame-ancestors)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
from selenium.common.exceptions import NoSuchElementException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.lib.security import Passwords
from app.widget_demo import DemoWidget, create_demo_host
from tests.browser.conftest import Browser, Server
from tests.browser.test_admin import admin_browser, confirm
from tests.browser.test_loop import all_css, css, wait
from tests.live import served
from tests.support import OrgWorld, build_org, run_db


@pytest.fixture
def sites(server: Server) -> Iterator[tuple[str, str]]:
    """Two demo sites, on two other ports: the integration lists the first one only."""
    allowed_app, other_app = create_demo_host(), create_demo_host()
    with served(allowed_app) as allowed, served(other_app) as other:
        admin = server.worlds[0].admin
        created = httpx.post(
            f"{server.url}/api/v1/integrations",
            json={"name": "Demo site", "allowed_origins": [allowed]},
            headers={"Authorization": f"Bearer {admin.api_key}"},
        ).json()
        widget = DemoWidget(
            interlude_url=server.url,
            integration_id=created["integration"]["id"],
            secret=created["secret"],
            learner_email=server.worlds[0].learners[0].email,
        )
        allowed_app.state.widget = other_app.state.widget = widget
        yield allowed, other


def _frame(b: Browser) -> Any:
    return css(b, ".interlude-widget iframe")


def test_a_learner_chats_in_the_widget_on_an_allowed_site_and_another_site_is_refused(
    open_browser: Callable[..., Browser], sites: tuple[str, str]
) -> None:
    allowed, other = sites
    b = open_browser("widget")
    b.driver.get(f"{allowed}/?lang=en")
    wait(b, lambda d: css(b, ".interlude-widget").get_attribute("data-state") == "ready")
    toggle = css(b, ".interlude-widget button")
    assert toggle.text == "Open the companion"
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.send_keys(Keys.ENTER)  # the keyboard opens it
    assert toggle.get_attribute("aria-expanded") == "true"
    assert _frame(b).get_attribute("title") == "Interlude companion"

    b.driver.switch_to.frame(_frame(b))
    assert b.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    box = css(b, "#widget-input")
    wait(b, lambda d: box.is_enabled())
    label = css(b, "label[for='widget-input']").text
    assert label == "Your message"
    assert css(b, "#widget-messages").get_attribute("aria-live") == "polite"
    box.send_keys("How do I give feedback to a colleague who is always late?")
    box.send_keys(Keys.ENTER)  # Enter sends, Shift+Enter would add a line
    # Alone, this test's turn is the server's first: it waits for the guard's training (about
    # 25 s on 2 idle cores, minutes on busy ones).
    wait(b, lambda d: all_css(b, "#widget-messages li.assistant"), timeout=240)
    reply = css(b, "#widget-messages li.assistant .content").text
    assert reply.strip()
    assert css(b, "#widget-status").text == "Reply received."
    assert b.driver.switch_to.active_element == css(b, "#widget-input")  # focus stays to answer
    css(b, "#widget-input").send_keys(Keys.ESCAPE)  # Escape closes the panel
    b.driver.switch_to.default_content()
    wait(b, lambda d: toggle.get_attribute("aria-expanded") == "false")
    assert b.driver.switch_to.active_element == toggle
    b.shot("allowed")

    # The same page from an origin the integration does not list: the frame is refused.
    b.driver.get_log("browser")  # what came before is not this page's
    b.driver.get(f"{other}/?lang=en")
    wait(b, lambda d: all_css(b, ".interlude-widget iframe"))
    with pytest.raises(TimeoutException):
        wait(b, lambda d: css(b, ".interlude-widget").get_attribute("data-state") == "ready", 5)
    b.driver.switch_to.frame(_frame(b))
    with pytest.raises(NoSuchElementException):
        css(b, "#widget-input")
    b.driver.switch_to.default_content()
    b.shot("refused")


@pytest.fixture
def own_org(server: Server) -> OrgWorld:
    """An organisation of this test's own: its integrations never meet the other tests'."""
    passwords = Passwords.from_settings(server.settings)
    slug = f"integr-{uuid4().hex[:8]}"
    return run_db(server.settings, lambda db: build_org(db, passwords, slug))


def test_an_admin_creates_and_revokes_an_integration_on_its_page(
    open_browser: Callable[..., Browser], own_org: OrgWorld
) -> None:
    admin = admin_browser(open_browser, own_org)
    css(admin, "a[href='/admin/integrations']").click()
    wait(admin, lambda d: admin.path == "/admin/integrations")
    css(admin, "#integration-name").send_keys("Intranet")
    css(admin, "#integration-origins").send_keys("https://intranet.example.com")
    css(admin, "#integration-form button[type=submit]").click()
    wait(admin, lambda d: css(admin, "#integration-secret").is_displayed())
    assert css(admin, "#integration-secret-value").get_attribute("value").startswith("iti_")
    assert "/static/widget.js" in css(admin, "#integration-snippet").get_attribute("value")
    assert admin.driver.switch_to.active_element == css(admin, "#integration-secret")
    admin.shot("integration-secret")
    css(admin, "#integration-secret-done").click()
    wait(admin, lambda d: all_css(admin, "#integrations tr[data-state='active']"))
    row = css(admin, "#integrations tr[data-state='active']")
    assert "https://intranet.example.com" in row.text
    css(row, "[data-action='revoke-integration']").click()
    confirm(admin)
    wait(admin, lambda d: all_css(admin, "#integrations tr[data-state='revoked']"))
    assert css(admin, "#integrations-status").text == "L'intégration « Intranet » est révoquée."
    assert admin.console_errors() == []
