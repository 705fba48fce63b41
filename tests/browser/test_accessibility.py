"""Every page of every role, checked in the browser for what assistive technology needs.

The checks run in the page itself after its scripts: every form control has a label, every
button and link a name, one `h1`, a language, no duplicate ids, and the first Tab reaches the
"skip to content" link. Pages are reached through the menu, as a person would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import Browser, Server
from tests.browser.test_loop import all_css, css, log_in
from tests.support import Person

# Returns a list of problems, each naming the element, so a failure says what to fix.
AUDIT = """
const problems = [];
const describe = (el) => el.outerHTML.slice(0, 120);
const named = (el) => {
  if ((el.getAttribute("aria-label") || "").trim()) return true;
  const by = el.getAttribute("aria-labelledby");
  if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || "").trim()))
    return true;
  if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
  return false;
};
for (const el of document.querySelectorAll("input, select, textarea")) {
  if (el.type === "hidden") continue;
  if (!named(el)) problems.push("control without a label: " + describe(el));
}
for (const el of document.querySelectorAll("button, a[href]")) {
  const text = (el.textContent || "").trim() || el.getAttribute("aria-label") || el.title;
  if (!text) problems.push("button or link without a name: " + describe(el));
}
for (const el of document.querySelectorAll("img")) {
  if (!el.hasAttribute("alt")) problems.push("image without alt: " + describe(el));
}
const h1 = document.querySelectorAll("main h1").length;
if (h1 !== 1) problems.push(h1 + " h1 in main");
if (!document.documentElement.lang) problems.push("no lang on <html>");
const ids = {};
for (const el of document.querySelectorAll("[id]")) ids[el.id] = (ids[el.id] || 0) + 1;
for (const [id, count] of Object.entries(ids)) if (count > 1) problems.push("duplicate id " + id);
return problems;
"""


def _menu(b: Browser) -> list[str]:
    return [str(a.get_attribute("href")) for a in all_css(b, "header nav a")]


def _audit(b: Browser) -> list[str]:
    problems: list[str] = b.driver.execute_script(AUDIT)
    return [f"{b.path}: {p}" for p in problems]


def _first_tab_reaches_skip_link(b: Browser) -> bool:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    b.driver.execute_script("document.activeElement && document.activeElement.blur()")
    ActionChains(b.driver).send_keys(Keys.TAB).perform()
    return bool(b.driver.execute_script("return document.activeElement.classList.contains('skip')"))


@pytest.mark.parametrize("who", ["learner", "coach", "admin"])
def test_every_page_of_a_role_is_labelled_and_keyboard_reachable(
    server: Server, open_browser: Callable[..., Browser], who: str
) -> None:
    alpha = server.worlds[0]
    person: Person = {"learner": alpha.learners[0], "coach": alpha.coach, "admin": alpha.admin}[who]
    b = open_browser(who)
    b.go("/login")
    problems = _audit(b)  # the login page too, before anyone is known
    log_in(b, person)
    pages = _menu(b)
    assert len(pages) >= 3, pages
    extra: dict[str, list[str]] = {
        "coach": [f"/coach/learners/{alpha.learners[0].id}/brief"],
    }
    visited: list[Any] = []
    for href in [*pages, *extra.get(who, [])]:
        b.driver.get(href if href.startswith("http") else server.url + href)
        css(b, "main")
        problems += _audit(b)
        if not _first_tab_reaches_skip_link(b):
            problems.append(f"{b.path}: the first Tab does not reach the skip link")
        visited.append(b.path)
    assert problems == [], "\n".join(problems)
    assert len(visited) == len(pages) + len(extra.get(who, []))
