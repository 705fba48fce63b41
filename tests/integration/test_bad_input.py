"""Bad input gets a 4xx in one JSON shape that says what to fix, and leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support import OrgWorld, with_key


def assert_error(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "field"}
    assert error["message"]
    if field is not None:
        assert error["field"] == field
    return error


@pytest.fixture
def conversation(client: TestClient[Any], worlds: list[OrgWorld]) -> str:
    learner = with_key(client, worlds[0].learners[0])
    return str(learner.post("/api/v1/conversations", json={}).json()["id"])


def test_validation_errors_name_the_field(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    admin = with_key(client, worlds[0].admin)
    cases = [
        ({"email": 5, "display_name": "A", "role": "coach"}, "email"),
        ({"email": "not-an-email", "display_name": "A", "role": "coach"}, "email"),
        ({"email": "a@b.example", "display_name": "A", "role": "boss"}, "role"),
        ({"email": "a@b.example", "role": "coach"}, "display_name"),
        ({"email": "a@b.example", "display_name": "   ", "role": "coach"}, "display_name"),
        ({"email": "a@b.example", "display_name": "A", "role": "coach", "password": "short"},
         "password"),
    ]  # fmt: skip
    for body, field in cases:
        assert_error(admin.post("/api/v1/users", json=body), 400, field)
    nested = admin.patch("/api/v1/organization", json={"policy": {"languages": ["de"]}})
    assert_error(nested, 400, "policy.languages[0]")


def test_nul_bytes_and_bad_encoding_are_refused(
    client: TestClient[Any], worlds: list[OrgWorld], conversation: str
) -> None:
    learner = with_key(client, worlds[0].learners[0])
    path = f"/api/v1/conversations/{conversation}/messages"
    assert_error(learner.post(path, json={"content": "a\x00b"}), 400, "content")
    raw = learner.request(
        "POST",
        path,
        content=b'{"content": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    )
    assert assert_error(raw, 400)["code"] == "invalid_encoding"
    surrogate = learner.request(
        "POST",
        path,
        content=b'{"content": "\\ud800"}',
        headers={"content-type": "application/json"},
    )
    assert_error(surrogate, 400)
    malformed = learner.request(
        "POST", path, content=b'{"content": ', headers={"content-type": "application/json"}
    )
    assert_error(malformed, 400)
    assert learner.get(path).json()["items"] == []  # nothing half-written


def test_size_limits(client: TestClient[Any], worlds: list[OrgWorld], conversation: str) -> None:
    learner = with_key(client, worlds[0].learners[0])
    path = f"/api/v1/conversations/{conversation}/messages"
    too_long = assert_error(learner.post(path, json={"content": "x" * 8_001}), 400, "content")
    assert "8000" in too_long["message"]
    huge = learner.post(path, json={"content": "x" * 1_100_000})
    assert assert_error(huge, 413)["code"] == "payload_too_large"
    assert learner.get(path).json()["items"] == []


def test_unknown_and_malformed_ids(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    coach = with_key(client, worlds[0].coach)
    unknown = coach.get("/api/v1/suggestions/01900000-0000-7000-8000-000000000000")
    assert assert_error(unknown, 404)["code"] == "not_found"
    assert_error(coach.get("/api/v1/suggestions/not-a-uuid"), 404)
    assert_error(coach.get("/api/v1/suggestions?cursor=nope"), 400, "cursor")
    assert_error(coach.get("/api/v1/suggestions?limit=0"), 400, "limit")
    assert_error(coach.get("/api/v1/suggestions?state=maybe"), 400, "state")
    assert_error(coach.get("/api/v1/nowhere"), 404)
    assert_error(coach.request("PUT", "/api/v1/suggestions"), 405)


@pytest.mark.parametrize("content", ["   ", "\u200b\u200b\u200b", " \u2060\ufeff \u200d", "\u00ad"])
def test_a_message_of_only_blank_or_invisible_characters_is_refused(
    client: TestClient[Any], worlds: list[OrgWorld], conversation: str, content: str
) -> None:
    learner = with_key(client, worlds[0].learners[0])
    path = f"/api/v1/conversations/{conversation}/messages"
    error = assert_error(learner.post(path, json={"content": content}), 400, "content")
    assert "visible text" in error["message"]
    assert "regex" not in error["message"]  # said in words, not as a pattern
    assert learner.get(path).json()["items"] == []


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("admin\u200b@alpha.example", "invisible"),
        ("\u0430dmin@alpha.example", "alphabets"),  # a Cyrillic a among Latin letters
        ("admin@alph\u0430.example", "alphabets"),
    ],
)
def test_look_alike_emails_are_refused_naming_email(
    client: TestClient[Any], worlds: list[OrgWorld], email: str, why: str
) -> None:
    admin = with_key(client, worlds[0].admin)
    response = admin.post(
        "/api/v1/users", json={"email": email, "display_name": "Look-alike", "role": "admin"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "email"
    assert why in response.json()["error"]["message"]


def test_a_full_width_email_is_the_same_address(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    admin = with_key(client, worlds[0].admin)
    body = {"email": "\uff5a\uff4f\uff45@alpha.example", "display_name": "Zoe", "role": "learner"}
    assert admin.post("/api/v1/users", json=body).json()["email"] == "zoe@alpha.example"
    body["email"] = "ZOE@alpha.example"
    assert admin.post("/api/v1/users", json=body).status_code == 409  # NFKC: same address


def test_deeply_nested_json_is_refused_before_parsing_even_before_login(
    client: TestClient[Any],
) -> None:
    for depth in (1_000, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post(
            "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, (depth, response.status_code)
        assert "32 levels" in response.json()["error"]["message"]
    shallow = client.post("/api/v1/auth/login", json={"organization": "x", "email": "a@b.c"})
    assert shallow.status_code == 400  # an ordinary validation error: the hook lets it through
