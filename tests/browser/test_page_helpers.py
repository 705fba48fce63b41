"""The pages' small helpers, and the completeness of their words; no browser needed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from agents.safety import CATEGORIES
from app.db.models.enums import SuggestionKind
from app.web import i18n
from app.web.coach import BRIEF_SECTIONS
from app.web.filters import cite_numbers
from app.web.i18n import JS_KEYS, MESSAGES, locale_from_header, text
from app.web.pages import safe_next
from app.web.routes import STATIC_DIR, TEMPLATES_DIR


@pytest.mark.parametrize(
    "target",
    ["/me", "/coach/review?learner=1", "/me/chat/abc#end"],
)
def test_next_accepts_paths_of_this_site(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "me",
        "javascript:alert(1)",
        "/me\r\nSet-Cookie: x=1",
        "/" + "a" * 3000,
    ],
)
def test_next_refuses_other_sites_and_odd_paths(target: str | None) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,en;q=0.5,fr;q=0.8", "fr"),
        ("de", "fr"),
        ("en;q=bad,fr;q=0.1", "fr"),
    ],
)
def test_the_login_page_speaks_the_browsers_language(header: str | None, locale: str) -> None:
    assert locale_from_header(header) == locale


def test_citation_labels_become_the_numbers_of_the_buttons() -> None:
    assert cite_numbers("a [S3] b [S1] c [S3] [X1]") == "a [1] b [2] c [1] [X1]"


def test_placeholders_are_filled_in_both_languages() -> None:
    assert text("me.hello", "fr", name="Léa") == "Bonjour Léa"
    assert text("me.hello", "en", name="{x}") == "Hello {x}"  # values are never formats
    assert text("category.unknown", "en", fallback="unknown") == "unknown"


def _template_keys() -> set[str]:
    used: set[str] = set()
    for path in TEMPLATES_DIR.rglob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_.0-9]+)["']""", path.read_text()))
    # "kind." ~ value, "account.saved_" ~ what: listed below
    return {key for key in used if not key.endswith((".", "_"))}


def test_every_word_a_template_asks_for_exists() -> None:
    dynamic = (
        [f"kind.{k.value}" for k in SuggestionKind]
        + [f"category.{c}" for c in CATEGORIES]
        + [f"error.{s}" for s in (400, 403, 404, 409, 500)]
        + ["error.403_why", "error.404_why"]
        + [f"brief.{kind}.{s}" for kind in ("section", "empty") for s in BRIEF_SECTIONS]
        + [f"login.{f}" for f in ("organization", "email", "password")]
        + [f"run.kind.{k}" for k in ("plan", "brief")]
        + [f"account.saved_{what}" for what in ("profile", "password")]
        + [f"account.item_emails_{role}" for role in ("learner", "coach")]
        + [f"password.{f}" for f in ("password", "confirm")]
    )
    missing = (_template_keys() | set(dynamic)) - set(MESSAGES)
    assert not missing


def test_every_word_a_script_asks_for_is_sent_to_it() -> None:
    used: set[str] = set()
    for path in STATIC_DIR.glob("*.js"):
        used |= set(re.findall(r"""\btr\(["']([a-z_.]+)["']""", path.read_text()))
    used |= {f"plan.{s}" for s in ("queued", "running", "retrying", "done", "failed")}
    assert used - set(JS_KEYS) == set()
    assert set(JS_KEYS) <= set(MESSAGES)


def test_no_word_is_defined_in_two_areas() -> None:
    from app.web.messages import MESSAGES as CORE
    from app.web.messages_admin import ADMIN_MESSAGES
    from app.web.messages_widget import WIDGET_MESSAGES

    assert CORE.keys() & ADMIN_MESSAGES.keys() == set()
    assert (CORE.keys() | ADMIN_MESSAGES.keys()) & WIDGET_MESSAGES.keys() == set()


def test_moments_are_shown_in_the_readers_own_zone_when_they_chose_one() -> None:
    moment = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)  # 9:00 on the 8th in Sydney
    sydney = {"locale": "en", "time_zone": "Australia/Sydney"}
    assert i18n.template_datetime(sydney, moment) == "8 December 2026, 09:00 (Australia/Sydney)"
    assert i18n.template_date(sydney, moment) == "8 December 2026"
    unset = {"locale": "en", "time_zone": ""}
    assert i18n.template_datetime(unset, moment) == "7 December 2026, 22:00 UTC"
    assert i18n.template_date(unset, moment) == "7 December 2026"
    assert i18n.template_date(sydney, date(2026, 12, 7)) == "7 December 2026"  # a day is a day
