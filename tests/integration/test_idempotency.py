"""Idempotency-Key on POST, through the real app on both databases: a retried request gets
the first answer again and creates nothing more; the same key with another body is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.testing import TestClient

from tests.support import OrgWorld, with_key

JOURNAL = "/api/v1/journal"


def _entries(caller: Any) -> list[dict[str, Any]]:
    return list(caller.get(JOURNAL, params={"limit": 100}).json()["items"])


def test_a_retried_post_with_its_key_creates_one_entry(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    alpha = worlds[0]
    learner = with_key(client, alpha.learners[0])
    key = {"Idempotency-Key": "6f1c1c1e-2b1a-4f8e-9d7e-0a7c1b2c3d4e"}
    body = {"text": "Ce que j'ai appris cette semaine."}

    first = learner.post(JOURNAL, json=body, headers=key)
    assert first.status_code == 201, first.text
    again = learner.post(JOURNAL, json=body, headers=key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(_entries(learner)) == 1

    other_body = learner.post(JOURNAL, json={"text": "Autre chose."}, headers=key)
    assert other_body.status_code == 422
    assert other_body.json()["error"]["field"] == "Idempotency-Key"
    assert len(_entries(learner)) == 1

    # Another key, no key, or another person with the same key: each a request of its own.
    assert learner.post(JOURNAL, json=body, headers={"Idempotency-Key": "k2"}).status_code == 201
    assert learner.post(JOURNAL, json=body).status_code == 201
    assert learner.post(JOURNAL, json=body).status_code == 201
    assert len(_entries(learner)) == 4
    someone_else = with_key(client, alpha.learners[1])
    assert someone_else.post(JOURNAL, json=body, headers=key).status_code == 201
    assert len(_entries(someone_else)) == 1


def test_a_refused_request_is_kept_too_and_a_bad_key_is_named(
    worlds: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app()
    learner = with_key(client, worlds[0].learners[0])
    key = {"Idempotency-Key": "empty-text"}
    refused = learner.post(JOURNAL, json={"text": "  "}, headers=key)
    assert refused.status_code == 400
    replayed = learner.post(JOURNAL, json={"text": "  "}, headers=key)
    assert (replayed.status_code, replayed.json()) == (400, refused.json())

    bad = learner.post(JOURNAL, json={"text": "x"}, headers={"Idempotency-Key": "k" * 300})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "Idempotency-Key"
    assert _entries(learner) == []
