"""Identity: password login, session cookies with CSRF, API keys with scopes and revocation."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.support import PASSWORD, As, OrgWorld, with_key, with_session

LOGIN = "/api/v1/auth/login"


def test_wrong_password_and_unknown_email_answer_alike(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    wrong = client.post(
        LOGIN, json={"organization": "alpha", "email": alpha.coach.email, "password": "nope"}
    )
    unknown = client.post(
        LOGIN, json={"organization": "alpha", "email": "ghost@alpha.example", "password": "nope"}
    )
    other_org = client.post(
        LOGIN, json={"organization": "beta", "email": alpha.coach.email, "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == other_org.status_code == 401
    assert wrong.json() == unknown.json() == other_org.json()
    assert "interlude_session" not in wrong.cookies


def test_session_cookie_is_http_only_and_same_site(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    response = client.post(
        LOGIN,
        json={"organization": "alpha", "email": alpha.coach.email.upper(), "password": PASSWORD},
    )
    client.cookies.clear()
    assert response.status_code == 201
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_changes_by_cookie_need_the_csrf_token(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    coach = with_session(client, alpha.coach)
    draft = alpha.draft_ids[alpha.learners[0].id][0]
    no_token = As(client, {"Cookie": coach.headers["Cookie"]}, "no csrf")
    wrong_token = As(client, {**coach.headers, "X-CSRF-Token": "forged"}, "wrong csrf")
    for caller in (no_token, wrong_token):
        response = caller.post(f"/api/v1/suggestions/{draft}/approve")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "csrf_failed"
    assert no_token.get(f"/api/v1/suggestions/{draft}").status_code == 200  # reads need none
    assert coach.post(f"/api/v1/suggestions/{draft}/approve").status_code == 200


def test_logout_ends_the_session(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    learner = with_session(client, alpha.learners[0])
    assert learner.post("/api/v1/auth/logout").status_code == 204
    assert learner.get("/api/v1/me").status_code == 401


def test_anonymous_and_malformed_credentials_are_refused(client: TestClient[Any]) -> None:
    assert client.get("/api/v1/me").json()["error"]["code"] == "unauthenticated"
    for header in ("Basic abc", "Bearer", "Bearer ilk_nothex", "Bearer ilk_0123456789ab_x"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
    response = client.get("/api/v1/me", headers={"Cookie": "interlude_session=forged"})
    assert response.status_code == 401


def test_api_key_lifecycle(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    admin = with_key(client, alpha.admin)
    learner = with_key(client, alpha.learners[0])
    created = learner.post("/api/v1/api-keys", json={"name": "LMS", "scopes": ["read"]})
    assert created.status_code == 201
    secret = created.json()["secret"]
    key_id = created.json()["key"]["id"]
    assert secret not in admin.get("/api/v1/api-keys").text  # shown once only
    assert secret not in learner.get("/api/v1/api-keys").text
    lms = As(client, {"Authorization": f"Bearer {secret}"}, "lms")
    assert lms.get("/api/v1/me").json()["user"]["id"] == str(alpha.learners[0].id)
    denied = lms.post("/api/v1/conversations", json={})
    assert denied.status_code == 403
    assert "write" in denied.json()["error"]["message"]
    listed = {k["id"]: k for k in admin.get("/api/v1/api-keys").json()["items"]}
    assert listed[key_id]["last_used_at"] is not None
    assert admin.delete(f"/api/v1/api-keys/{key_id}").status_code == 204
    revoked = lms.get("/api/v1/me")
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["error"]["message"]


def test_a_key_acts_for_its_creator_and_nobody_mints_one_for_someone_else(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    admin, coach = with_key(client, alpha.admin), with_key(client, alpha.coach)
    learner = alpha.learners[0]
    for minter, victim in ((admin, learner), (admin, alpha.coach), (coach, learner)):
        response = minter.post(
            "/api/v1/api-keys",
            json={"name": "x", "user_id": str(victim.id), "scopes": ["read", "write"]},
        )
        assert response.status_code == 403, response.text
        assert response.json()["error"]["field"] == "user_id"
    mine = coach.post("/api/v1/api-keys", json={"name": "mine", "user_id": str(alpha.coach.id)})
    assert mine.status_code == 201  # naming oneself is allowed
    assert mine.json()["key"]["user_id"] == str(alpha.coach.id)
    # A coach lists and revokes only their own keys; the admin sees and revokes all of them.
    own = {k["user_id"] for k in coach.get("/api/v1/api-keys").json()["items"]}
    assert own == {str(alpha.coach.id)}
    admin_key = admin.post("/api/v1/api-keys", json={"name": "admin's"}).json()["key"]["id"]
    assert coach.delete(f"/api/v1/api-keys/{admin_key}").status_code == 404
    assert admin.delete(f"/api/v1/api-keys/{mine.json()['key']['id']}").status_code == 204


def test_only_admins_manage_people(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    coach = with_key(client, alpha.coach)
    new_user = {"email": "new@alpha.example", "display_name": "New", "role": "coach"}
    assert coach.post("/api/v1/users", json=new_user).status_code == 403
    assert with_key(client, alpha.admin).post("/api/v1/users", json=new_user).status_code == 201
    duplicate = with_key(client, alpha.admin).post("/api/v1/users", json=new_user)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["field"] == "email"


def test_a_deactivated_user_is_locked_out(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    learner = alpha.learners[1]
    session = with_session(client, learner)
    admin = with_key(client, alpha.admin)
    assert admin.patch(f"/api/v1/users/{learner.id}", json={"is_active": False}).status_code == 200
    assert session.get("/api/v1/me").status_code == 401
    assert with_key(client, learner).get("/api/v1/me").status_code == 401
    own = admin.patch(f"/api/v1/users/{alpha.admin.id}", json={"role": "coach"})
    assert own.status_code == 400


def test_expired_sessions_are_refused_and_purged(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Any
) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from app.db.models import LoginSession
    from app.lib.clock import utcnow
    from tests.support import run_db

    alpha, _ = worlds
    old = with_session(client, alpha.coach)

    async def expire_all(db: Any) -> None:
        await db.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(minutes=1)))

    run_db(settings, expire_all)
    response = old.get("/api/v1/me")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]
    with_session(client, alpha.coach)

    async def count(db: Any) -> int:
        return int(await db.scalar(select(func.count()).select_from(LoginSession)))

    assert run_db(settings, count) == 1  # the expired one went at the new login


def test_an_admin_cannot_set_another_persons_password(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    admin = with_key(client, alpha.admin)
    learner = alpha.learners[0]
    response = admin.patch(f"/api/v1/users/{learner.id}", json={"password": "admin-knows-it-now"})
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "password"
    login = client.post(
        "/api/v1/auth/login",
        json={"organization": alpha.slug, "email": learner.email, "password": "admin-knows-it-now"},
    )
    assert login.status_code == 401  # the learner's password did not change
    assert with_session(client, learner).get("/api/v1/me").status_code == 200


def test_changing_my_password_ends_my_other_sessions_only(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    person = alpha.learners[1]
    laptop, phone = with_session(client, person), with_session(client, person)
    other_person = with_session(client, alpha.learners[0])
    key = with_key(client, person)
    new_password = "a-brand-new-passphrase"

    # The current password is asked for: an open session alone cannot take the account over.
    missing = laptop.patch("/api/v1/me", json={"password": new_password})
    assert missing.status_code == 400
    assert missing.json()["error"]["field"] == "current_password"
    wrong = laptop.patch(
        "/api/v1/me", json={"password": new_password, "current_password": "a wrong guess"}
    )
    assert wrong.status_code == 403
    assert wrong.json()["error"]["field"] == "current_password"
    assert phone.get("/api/v1/me").status_code == 200  # a refused change ends nothing

    changed = laptop.patch(
        "/api/v1/me", json={"password": new_password, "current_password": PASSWORD}
    )

    assert changed.status_code == 200, changed.text
    assert laptop.get("/api/v1/me").status_code == 200  # the session that changed it stays
    assert phone.get("/api/v1/me").status_code == 401  # every other one ends
    assert other_person.get("/api/v1/me").status_code == 200  # nobody else's
    assert key.get("/api/v1/me").status_code == 200  # API keys are revoked by hand, not silently
    assert with_session(client, person, new_password).get("/api/v1/me").status_code == 200


def test_a_session_id_set_before_login_is_never_adopted(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    """Session fixation: an attacker who plants a cookie value in the victim's browser must not
    find it logged in afterwards. The server makes a new token at every login."""
    alpha, _ = worlds
    planted = "attacker-chosen-session-value"
    client.cookies.set("interlude_session", planted)
    response = client.post(
        LOGIN,
        json={"organization": alpha.slug, "email": alpha.coach.email, "password": PASSWORD},
    )
    assert response.status_code == 201
    issued = response.cookies["interlude_session"]
    assert issued != planted
    client.cookies.clear()
    client.cookies.set("interlude_session", planted)
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()
