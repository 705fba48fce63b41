"""The coach's brief page in a real browser: the learner's answer, the open safety alert and
the shared journal entry are each in the brief, cited; what the learner said in the alert and
what they kept private are not.

Organisation beta is this file's own: the other browser tests count alpha's alerts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.browser.conftest import Browser, Server
from tests.browser.test_loop import DISTRESS, all_css, css, log_in, wait
from tests.support import Person

ANSWER = "J'ai osé dire non au planning lundi, et l'équipe a suivi."
SHARED_NOTE = "Je me sens plus légère depuis que j'ai parlé du planning."
PRIVATE_NOTE = "PRIVATE-JOURNAL rien que pour moi."


# A server just started trains its safety reader in the background (about 25 s of CPU at a
# lower priority); a first turn waits for it, longer on a busy machine.
FIRST_TURN_TIMEOUT_S = 180


def _api(server: Server, person: Person, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(
        method,
        f"{server.url}/api/v1{path}",
        headers={"Authorization": f"Bearer {person.api_key}"},
        timeout=FIRST_TURN_TIMEOUT_S,
        **kwargs,
    )
    assert response.is_success, response.text
    return response.json()


def _learner_answers_shares_and_is_alerted(server: Server) -> dict[str, Any]:
    beta = server.worlds[1]
    learner = beta.learners[0]
    draft_id = beta.draft_ids[learner.id][0]
    _api(server, beta.coach, "POST", f"/suggestions/{draft_id}/approve", json={})
    _api(server, learner, "GET", "/feed")  # delivered by reading the feed
    answer = _api(server, learner, "POST", f"/feed/{draft_id}/answers", json={"text": ANSWER})
    note = _api(
        server, learner, "POST", "/journal", json={"text": SHARED_NOTE, "shared_with_coach": True}
    )
    _api(server, learner, "POST", "/journal", json={"text": PRIVATE_NOTE})
    conversation = _api(server, learner, "POST", "/conversations", json={})  # never shared
    _api(server, learner, "POST", f"/conversations/{conversation['id']}/messages",
         json={"content": DISTRESS})  # fmt: skip
    alerts = _api(server, beta.coach, "GET", "/escalations", params={"status": "open"})["items"]
    assert len(alerts) == 1
    return {"answer": answer["id"], "note": note["id"], "alert": alerts[0]["id"]}


def _cites(item: Any) -> set[str]:
    return set(str(item.get_attribute("data-cites")).split())


def test_the_brief_page_shows_the_answer_the_open_alert_and_the_shared_note(
    server: Server, open_browser: Callable[..., Browser]
) -> None:
    beta = server.worlds[1]
    ids = _learner_answers_shares_and_is_alerted(server)
    coach = open_browser("coach")
    coach.go("/login")
    log_in(coach, beta.coach)

    coach.go(f"/coach/learners/{beta.learners[0].id}/brief")
    css(coach, "#write-brief").click()
    brief = wait(coach, lambda d: css(coach, "article#brief"), timeout=30)

    alert, since = all_css(brief, "#brief-section-changes li")
    assert "Une alerte de sécurité urgente reste ouverte" in alert.text
    assert _cites(alert) == {ids["alert"]}
    assert "1 réponse et 1 note de journal partagée" in since.text
    assert _cites(since) == {ids["answer"], ids["note"]}
    [answer] = all_css(brief, "#brief-section-answers li")
    assert ANSWER.rstrip(".") in answer.text
    assert _cites(answer) == {ids["answer"]}
    assert "s'appuie sur 1 élément" in answer.text
    assert "Rien à signaler" not in brief.text
    page = coach.driver.page_source
    assert DISTRESS not in page  # the alert's tier and date, never what was said
    assert "PRIVATE-JOURNAL" not in page
    coach.shot("brief-answer-alert-note")
    assert coach.console_errors() == []
