"""The typed client (`clients/python`, package `interlude_client`) against the app under uvicorn:
the README's example, run as written in its own process, and each call an integrator needs,
with errors raised as `InterludeError` carrying the server's `ErrorBody`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from interlude_client import ALL_EVENTS, Interlude, InterludeError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.asgi import create_app
from app.db.models import Suggestion, User, WebhookEndpoint
from app.db.models.enums import Role, SuggestionState
from app.demo import DEMO_PEOPLE, seed_demo
from app.lib.security import Passwords
from app.runtime import build_knowledge
from app.settings import Settings
from tests.live import served
from tests.support import PASSWORD, OrgWorld, run_db

ROOT = Path(__file__).resolve().parents[2]
README_URL = '"http://127.0.0.1:8000"'
PLAN_TIMEOUT_S = 60.0


def readme_example() -> str:
    """The first Python block of README's "Typed Python client" subsection, as it is."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n### Typed Python client\n", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "README's 'Typed Python client' subsection lost its Python example"
    return match.group(1)


def _seed_demo(settings: Settings) -> None:
    knowledge = build_knowledge(settings)
    assert knowledge.try_own()
    try:
        passwords = Passwords.from_settings(settings)
        run_db(settings, lambda db: seed_demo(db, passwords, knowledge, settings))
    finally:
        knowledge.release()


def _wait_for_the_demo_plan(url: str, settings: Settings) -> None:
    """The server drafts Léa's plan as it starts; the example reviews it, so wait for it."""
    coach_id: UUID = run_db(
        settings,
        lambda db: db.scalar(select(User.id).where(User.email == "coach@horizon.example")),
    )
    deadline = time.monotonic() + PLAN_TIMEOUT_S
    with Interlude.login(
        url, organization="demo", email="coach@horizon.example", password="interlude-demo"
    ) as coach:
        assert coach.me().user.id == coach_id
        while len(coach.review.pending().items) < 3:
            assert time.monotonic() < deadline, "the demo plan was not drafted in time"
            time.sleep(0.2)


def test_the_readme_example_runs_against_a_live_server(settings: Settings) -> None:
    _seed_demo(settings)
    app = create_app(settings)
    with served(app) as url:
        _wait_for_the_demo_plan(url, settings)
        # A server up for a minute has trained its safety guard (once per process, about 45 s
        # in the background on 2 cores); the example's first chat turn must not wait for it.
        if app.state.guard_warm_up is not None:
            app.state.guard_warm_up.join()
        example = readme_example()
        assert example.count(README_URL) == 1, "the example names the server once, as URL"
        result = subprocess.run(  # noqa: S603 - our own interpreter and README
            [sys.executable, "-c", example.replace(README_URL, repr(url))],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "NO_PROXY": "*"},
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    learners = [name for _, name, role in DEMO_PEOPLE if role == Role.LEARNER]
    assert lines[0] == str(learners), lines
    assert lines[1:4] == ["approved", "edited", "rejected"], lines
    assert lines[4].startswith("409 conflict "), lines  # a rejected draft cannot be approved
    assert "[" in lines[5], lines  # the reply, then its citations' titles
    hook_id, secret = lines[-1].split()

    async def states(db: AsyncSession) -> list[SuggestionState]:
        return list(await db.scalars(select(Suggestion.state)))

    found = run_db(settings, states)
    assert found.count(SuggestionState.APPROVED) == 1
    assert found.count(SuggestionState.EDITED) == 1
    assert found.count(SuggestionState.REJECTED) == 1
    endpoint = run_db(settings, lambda db: db.get(WebhookEndpoint, UUID(hook_id)))
    assert endpoint is not None
    assert endpoint.secret == secret
    assert endpoint.events == ["item.approved"]


@pytest.fixture
def live(settings: Settings, worlds: list[OrgWorld]) -> Iterator[str]:
    """The app under uvicorn, its safety guard trained (once per test process)."""
    app = create_app(settings)
    with served(app) as url:
        if app.state.guard_warm_up is not None:
            app.state.guard_warm_up.join()
        yield url


def test_a_coach_lists_learners_and_reviews_drafts(live: str, worlds: list[OrgWorld]) -> None:
    alpha, beta = worlds
    learner = alpha.learners[0]
    with Interlude(live, api_key=alpha.coach.api_key) as coach:
        assert {u.id for u in coach.learners.all()} == {p.id for p in alpha.learners}
        assert coach.learners.get(learner.id).email == learner.email
        with pytest.raises(InterludeError) as other_org:
            coach.learners.get(beta.learners[0].id)
        assert (other_org.value.status, other_org.value.code) == (404, "not_found")

        pending = coach.review.pending(learner_id=learner.id).items
        assert [s.id for s in pending] == alpha.draft_ids[learner.id]
        first, second, third, fourth = pending
        day = datetime(2030, 1, 7, 9, tzinfo=UTC)
        approved = coach.review.approve(first.id, deliver_at=day)
        assert (approved.state, approved.deliver_at) == ("approved", day)
        edited = coach.review.edit(second.id, "Quel retour direct ?")
        assert (edited.state, edited.text) == ("edited", "Quel retour direct ?")
        with pytest.raises(InterludeError) as no_reason:
            coach.review.reject(third.id, " ")
        assert (no_reason.value.status, no_reason.value.field) == (400, "reason")
        assert coach.review.reject(third.id, "Off topic.").state == "rejected"
        assert [s.id for s in coach.review.pending(learner_id=learner.id).items] == [fourth.id]
        assert coach.review.get(first.id).citations[0].title == alpha.canary


def test_a_learner_chats_with_a_key_made_from_a_login(live: str, worlds: list[OrgWorld]) -> None:
    learner = worlds[0].learners[0]
    with Interlude.login(
        live, organization="alpha", email=learner.email, password=PASSWORD
    ) as session:
        assert session.me().via == "session"
        created = session.api_keys.create("my LMS")
    with Interlude(live, api_key=created.secret) as me:
        assert (me.me().via, me.me().user.id) == ("api_key", learner.id)
        first = me.chat.start(title="Feedback", idempotency_key="start-1")
        assert me.chat.start(title="Feedback", idempotency_key="start-1").id == first.id
        turn = me.chat.send(first.id, "Comment dire un désaccord à mon équipe ?")
        assert turn.reply is not None
        assert turn.reply.reply_to_id == turn.message.id
        listed = me.chat.messages(first.id).items
        assert [m.id for m in listed] == [turn.message.id, turn.reply.id]
        assert [c.id for c in me.chat.list().items] == [first.id]
        assert created.key.id in {k.id for k in me.api_keys.list().items}
        me.api_keys.revoke(created.key.id)
        with pytest.raises(InterludeError) as revoked:
            me.me()
        assert (revoked.value.status, revoked.value.code) == (401, "unauthenticated")
    with (
        Interlude(live, api_key=worlds[0].coach.api_key) as coach,
        pytest.raises(InterludeError) as not_a_learner,
    ):
        coach.chat.start()
    assert not_a_learner.value.status == 403


def test_an_admin_registers_a_webhook_and_follows_its_deliveries(
    live: str, worlds: list[OrgWorld]
) -> None:
    alpha = worlds[0]
    draft = alpha.draft_ids[alpha.learners[0].id][0]
    with Interlude(live, api_key=alpha.admin.api_key) as admin:
        with pytest.raises(InterludeError) as private:
            admin.webhooks.create("http://127.0.0.1/hooks")
        assert (private.value.status, private.value.field) == (400, "url")
        created = admin.webhooks.create("https://hooks.example.com/interlude")
        hook = created.webhook
        assert (sorted(hook.events), hook.enabled) == (sorted(ALL_EVENTS), True)
        assert len(created.secret) >= 32
        assert [w.id for w in admin.webhooks.list().items] == [hook.id]
        with Interlude(live, api_key=alpha.coach.api_key) as coach:
            coach.review.approve(draft)
            with pytest.raises(InterludeError) as not_admin:
                coach.webhooks.list()
            assert not_admin.value.status == 403
        [delivery] = admin.webhooks.deliveries(hook.id).items
        assert (delivery.event_type, delivery.payload["data"]["suggestion_id"]) == (
            "item.approved",
            str(draft),
        )
        replayed = admin.webhooks.replay(delivery.id)
        assert (replayed.event_id, replayed.replay_of_id) == (delivery.event_id, delivery.id)
        assert admin.webhooks.enable(hook.id).enabled
        admin.webhooks.remove(hook.id)
        assert admin.webhooks.list().items == []
