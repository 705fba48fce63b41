"""What lets a browser embed the companion, and what stops it: the widget's frame names the
integration's origins in `frame-ancestors` (every other page keeps 'none'), and CORS answers
the chat routes for those origins only, never with cookies, never on the token route."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.integration.test_integrations import ORIGIN, create_integration, mint
from tests.support import OrgWorld, with_key

ELSEWHERE = "https://evil.example"


def preflight(client: TestClient[Any], path: str, origin: str) -> Any:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_the_frame_may_be_embedded_by_the_integration_s_origins_only(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    integration, _ = create_integration(client, alpha)
    page = client.get(f"/embed/{integration['id']}?lang=en")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert f"frame-ancestors {ORIGIN}" in csp
    assert "script-src 'self'" in csp
    assert 'lang="en"' in page.text
    assert "Your message" in page.text
    assert "Votre message" in client.get(f"/embed/{integration['id']}?lang=fr").text
    # Every other page still refuses to be framed.
    assert "frame-ancestors 'none'" in client.get("/login").headers["content-security-policy"]
    # An unknown or revoked integration: a 404 nobody may frame.
    with_key(client, alpha.admin).delete(f"/api/v1/integrations/{integration['id']}")
    gone = client.get(f"/embed/{integration['id']}")
    assert gone.status_code == 404
    assert "frame-ancestors 'none'" in gone.headers["content-security-policy"]


def test_cors_answers_the_integration_s_origins_on_the_chat_only(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, beta = worlds
    _, secret = create_integration(client, alpha)
    create_integration(client, beta, allowed_origins=["https://beta.example"])

    allowed = preflight(client, "/api/v1/conversations", ORIGIN)
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in allowed.headers
    assert preflight(client, "/v1/chat/completions", ORIGIN).status_code == 204
    refused = preflight(client, "/api/v1/conversations", ELSEWHERE)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in refused.headers
    # Routes no token opens, and the token route itself, answer no browser of another origin.
    for path in ("/api/v1/journal", "/api/v1/integrations/token", "/api/v1/api-keys"):
        answer = preflight(client, path, ORIGIN)
        assert "access-control-allow-origin" not in answer.headers, path

    token = mint(client, secret, learner_id=str(alpha.learners[0].id)).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    from_allowed = client.get("/api/v1/conversations", headers={**bearer, "Origin": ORIGIN})
    assert from_allowed.status_code == 200
    assert from_allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-credentials" not in from_allowed.headers
    # Another integration's origin (beta's), or any other: the browser gets no answer to read.
    for origin in ("https://beta.example", ELSEWHERE):
        other = client.get("/api/v1/conversations", headers={**bearer, "Origin": origin})
        assert "access-control-allow-origin" not in other.headers, origin
    # An API key, even from a listed origin: CORS is for learner tokens only.
    key = {"Authorization": f"Bearer {alpha.learners[0].api_key}", "Origin": ORIGIN}
    assert (
        "access-control-allow-origin"
        not in client.get("/api/v1/conversations", headers=key).headers
    )
    # An expired or wrong token from a listed origin: the page may read the 401 and ask again.
    expired = client.get(
        "/api/v1/conversations", headers={"Authorization": "Bearer a.b.c", "Origin": ORIGIN}
    )
    assert expired.status_code == 401
    assert expired.headers["access-control-allow-origin"] == ORIGIN
