"""Integrations: an admin creates one and gets its secret once; its backend trades the secret
for a learner token of minutes; the token opens its scopes' endpoints and nothing else, and is
refused (401 with the reason) expired, altered, for another audience, or once its integration is
revoked. An integration never reaches another organisation's learners. The browser's side
(CORS, the widget's frame-ancestors) is in test_widget_headers.py."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from litestar.testing import TestClient
from sqlalchemy import select

from app.db.models import AuditEvent, Integration
from app.domain.integrations import tokens
from app.lib.clock import utcnow
from app.settings import Settings
from tests.support import As, OrgWorld, run_db, with_key

ORIGIN = "https://intranet.alpha.example"


def create_integration(
    client: TestClient[Any], world: OrgWorld, **body: Any
) -> tuple[dict[str, Any], str]:
    answer = with_key(client, world.admin).post(
        "/api/v1/integrations",
        json={"name": "Intranet", "allowed_origins": [ORIGIN], **body},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["integration"], answer.json()["secret"]


def mint(client: TestClient[Any], secret: str, **body: Any) -> Any:
    return client.post(
        "/api/v1/integrations/token", json=body, headers={"Authorization": f"Bearer {secret}"}
    )


def with_token(client: TestClient[Any], token: str) -> As:
    return As(client, {"Authorization": f"Bearer {token}"}, "learner token")


def chat_once(as_learner: As) -> Any:
    conversation = as_learner.post("/api/v1/conversations", json={})
    assert conversation.status_code == 201, conversation.text
    return as_learner.post(
        f"/api/v1/conversations/{conversation.json()['id']}/messages",
        json={"content": "Comment dire un désaccord en réunion ?"},
    )


def test_a_learner_token_chats_as_its_learner_and_reaches_nothing_else(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    learner = alpha.learners[0]
    integration, secret = create_integration(client, alpha)
    assert secret.startswith("iti_")
    assert "secret" not in integration
    listed = with_key(client, alpha.admin).get("/api/v1/integrations").json()["items"]
    assert [i["id"] for i in listed] == [integration["id"]]
    assert "secret" not in listed[0]

    answer = mint(client, secret, learner_id=str(learner.id))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["learner_id"] == str(learner.id)
    assert body["scopes"] == ["chat:learner"]
    assert 0 < body["expires_in"] <= 3600
    assert body["token_type"] == "Bearer"
    as_learner = with_token(client, body["token"])
    turn = chat_once(as_learner)
    assert turn.status_code == 201, turn.text
    assert turn.json()["reply"]["role"] == "assistant"
    # The same learner's conversation, seen with their own key: the token acted as them.
    mine = with_key(client, learner).get("/api/v1/conversations").json()["items"]
    assert len(mine) == 1
    # The OpenAI-compatible endpoint is chat too.
    completion = as_learner.post(
        "/v1/chat/completions",
        json={"model": "interlude-companion", "messages": [{"role": "user", "content": "Et ?"}]},
    )
    assert completion.status_code == 200, completion.text

    # Nothing outside its scopes: journal, feed (review:read not given), keys, people, pages.
    for method, path in [
        ("GET", "/api/v1/journal"),
        ("GET", "/api/v1/feed"),
        ("POST", "/api/v1/api-keys"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/integrations"),
    ]:
        refused = as_learner.request(method, path, json={"name": "x"})
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["code"] == "scope_not_allowed"
    assert as_learner.get("/me", follow_redirects=False).status_code in (403, 303)

    # By e-mail too; a coach, another organisation's learner or an unknown address: 404.
    by_email = mint(client, secret, email=learner.email.upper())
    assert by_email.json()["learner_id"] == str(learner.id)
    assert mint(client, secret, email=alpha.coach.email).status_code == 404
    assert mint(client, secret).status_code == 400
    assert mint(client, secret, learner_id=str(learner.id), email=learner.email).status_code == 400


def test_review_read_opens_the_feed_only(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    _, secret = create_integration(client, alpha, scopes=["review:read"])
    token = mint(client, secret, learner_id=str(alpha.learners[0].id)).json()["token"]
    as_learner = with_token(client, token)
    assert as_learner.get("/api/v1/feed").status_code == 200
    assert as_learner.post("/api/v1/conversations", json={}).status_code == 403


def test_tokens_refused_expired_altered_for_another_audience_or_revoked(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Settings
) -> None:
    alpha, beta = worlds
    integration, secret = create_integration(client, alpha)
    token = mint(client, secret, learner_id=str(alpha.learners[0].id)).json()["token"]
    as_learner = with_token(client, token)
    assert as_learner.get("/api/v1/conversations").status_code == 200

    def refused(candidate: str, why: str) -> None:
        answer = with_token(client, candidate).get("/api/v1/conversations")
        assert answer.status_code == 401, answer.text
        error = answer.json()["error"]
        assert error["code"] == "invalid_token", error
        assert why in error["message"], error

    # Expired: the clock moved past the token's minutes.
    client.app.state.clock = lambda: utcnow() + timedelta(seconds=settings.integration_token_ttl_s)
    refused(token, "expired")
    client.app.state.clock = utcnow

    # Altered: another learner's id in the claims, the signature kept.
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = str(alpha.learners[1].id)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    refused(f"{header}.{forged}.{signature}", "signature")
    # `alg: none`, the classic forgery.
    none = base64.urlsafe_b64encode(
        json.dumps({"alg": "none", "kid": integration["id"]}).encode()
    ).decode()
    refused(f"{none.rstrip('=')}.{payload}.", "not made by Interlude")

    # Another audience, signed with the integration's very key (as if its key had signed a token
    # naming beta): the audience is checked against the integration, not against the token.
    key = run_db(
        settings,
        lambda db: db.scalar(
            select(Integration.signing_key).where(Integration.id == UUID(integration["id"]))
        ),
    )
    other = tokens.LearnerClaims(
        integration_id=UUID(integration["id"]),
        organization_id=beta.id,
        user_id=beta.learners[0].id,
        scopes=frozenset({"chat:learner"}),
        expires_at=int((utcnow() + timedelta(minutes=5)).timestamp()),
    )
    refused(tokens.sign(key, other, now=utcnow()), "audience")
    # An integration that does not exist, and garbage.
    unknown = tokens.LearnerClaims(uuid4(), alpha.id, alpha.learners[0].id, frozenset(), 0)
    refused(tokens.sign(tokens.new_signing_key(), unknown, now=utcnow()), "no longer exists")
    refused("a.b.c", "malformed")

    # Revoked: the token and the secret stop at once; the audit log has both acts.
    revoke = with_key(client, alpha.admin).delete(f"/api/v1/integrations/{integration['id']}")
    assert revoke.status_code == 204
    refused(token, "revoked")
    after = mint(client, secret, learner_id=str(alpha.learners[0].id))
    assert after.status_code == 401
    assert "revoked" in after.json()["error"]["message"]
    actions = run_db(
        settings,
        lambda db: db.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == UUID(integration["id"]))
        ),
    )
    assert sorted(actions) == ["integration.create", "integration.revoke"]


def test_integrations_stay_in_their_organisation(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, beta = worlds
    integration, secret = create_integration(client, alpha)
    # Another organisation's learner: the same 404 as an unknown id.
    for learner_id in (beta.learners[0].id, uuid4()):
        answer = mint(client, secret, learner_id=str(learner_id))
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["field"] == "learner_id"
    assert mint(client, secret, email=beta.learners[0].email).status_code == 404
    # Beta's admin neither sees nor revokes alpha's integration.
    as_beta = with_key(client, beta.admin)
    assert as_beta.get("/api/v1/integrations").json()["items"] == []
    assert as_beta.get(f"/api/v1/integrations/{integration['id']}").status_code == 404
    assert as_beta.delete(f"/api/v1/integrations/{integration['id']}").status_code == 404
    # A token of alpha's learner does not open beta's conversation.
    beta_conversation = with_key(client, beta.learners[0]).post("/api/v1/conversations").json()
    token = mint(client, secret, learner_id=str(alpha.learners[0].id)).json()["token"]
    stolen = with_token(client, token).get(f"/api/v1/conversations/{beta_conversation['id']}")
    assert stolen.status_code == 404
    # Only admins manage integrations; secrets that are not one are refused.
    assert with_key(client, alpha.coach).get("/api/v1/integrations").status_code == 403
    assert (
        mint(client, alpha.learners[0].api_key, learner_id=str(alpha.learners[0].id)).status_code
        == 401
    )
    assert mint(client, secret + "x", learner_id=str(alpha.learners[0].id)).status_code == 401
    assert client.post("/api/v1/integrations/token", json={}).status_code == 401
    # The secret belongs on a backend: a browser's request (it sends Origin) is refused.
    from_page = client.post(
        "/api/v1/integrations/token",
        json={"learner_id": str(alpha.learners[0].id)},
        headers={"Authorization": f"Bearer {secret}", "Origin": ORIGIN},
    )
    assert from_page.status_code == 403
    assert from_page.json()["error"]["code"] == "secret_in_browser"


def test_origins_and_scopes_are_checked(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    as_admin = with_key(client, worlds[0].admin)
    for origins in (["*"], ["https://x.example/path"], ["ftp://x.example"], ["intranet"]):
        answer = as_admin.post(
            "/api/v1/integrations", json={"name": "x", "allowed_origins": origins}
        )
        assert answer.status_code == 400, origins
        assert answer.json()["error"]["field"] == "allowed_origins"
    bad_scope = as_admin.post("/api/v1/integrations", json={"name": "x", "scopes": ["admin"]})
    assert bad_scope.status_code == 400
    made = as_admin.post(
        "/api/v1/integrations",
        json={"name": "x", "allowed_origins": ["HTTPS://Intranet.Example:8443/"]},
    )
    assert made.json()["integration"]["allowed_origins"] == ["https://intranet.example:8443"]
