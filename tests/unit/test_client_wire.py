"""The typed client's wire habits, on a mock transport (the live server has its own tests in
tests/integration/test_typed_client.py): the headers it sends, and the error it raises for
Interlude's ErrorBody and for an answer that is not one (a proxy's page)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest
from interlude_client import Interlude, InterludeError

SEEN: list[httpx.Request] = []


def answer(request: httpx.Request) -> httpx.Response:
    SEEN.append(request)
    if request.url.path == "/api/v1/auth/login":
        return httpx.Response(201, json={"csrf_token": "the-token", "me": {}})
    if request.url.path == "/api/v1/conversations":
        body = {"error": {"code": "conflict", "message": "Still running.", "field": None}}
        return httpx.Response(409, json=body, headers={"Retry-After": "1"})
    if request.url.path == "/api/v1/users":
        return httpx.Response(502, text="<html>Bad gateway</html>")
    body = {"error": {"code": "invalid_input", "message": "Too long.", "field": "reason"}}
    return httpx.Response(400, json=body)


@pytest.fixture
def client() -> Iterator[Interlude]:
    SEEN.clear()
    with Interlude.login(
        "http://interlude.test/",
        organization="demo",
        email="coach@horizon.example",
        password="secret",
        transport=httpx.MockTransport(answer),
    ) as logged_in:
        yield logged_in


def test_a_login_sends_its_csrf_token_on_changes_only(client: Interlude) -> None:
    with pytest.raises(InterludeError):
        client.learners.list()
    with pytest.raises(InterludeError):
        client.chat.start(idempotency_key="start-1")
    login, listing, start = SEEN
    assert "X-CSRF-Token" not in login.headers
    assert "X-CSRF-Token" not in listing.headers
    assert listing.url.params["role"] == "learner"
    assert "cursor" not in listing.url.params  # None is left out, not sent as "None"
    assert start.headers["X-CSRF-Token"] == "the-token"
    assert start.headers["Idempotency-Key"] == "start-1"


def test_an_error_body_becomes_the_exception_s_fields(client: Interlude) -> None:
    with pytest.raises(InterludeError) as refused:
        client.review.reject(uuid4(), "x" * 5000)
    assert (refused.value.status, refused.value.code) == (400, "invalid_input")
    assert (refused.value.message, refused.value.field) == ("Too long.", "reason")
    assert str(refused.value) == "400 invalid_input: Too long. (field: reason)"
    with pytest.raises(InterludeError) as busy:
        client.chat.start()
    assert (busy.value.status, busy.value.retry_after) == (409, "1")


def test_an_answer_that_is_not_interlude_s_still_says_what_happened(client: Interlude) -> None:
    with pytest.raises(InterludeError) as gateway:
        client.learners.list()
    assert (gateway.value.status, gateway.value.code) == (502, "http_502")
    assert "Bad gateway" in gateway.value.message
    assert gateway.value.field is None


def test_an_api_key_is_a_bearer_token() -> None:
    SEEN.clear()
    transport = httpx.MockTransport(answer)
    with (
        Interlude("http://interlude.test", api_key="k3y", transport=transport) as keyed,
        pytest.raises(InterludeError),
    ):
        keyed.learners.list()
    assert SEEN[0].headers["Authorization"] == "Bearer k3y"
