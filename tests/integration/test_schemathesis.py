"""Schemathesis sends generated requests to every operation of the OpenAPI schema: none may
be answered with a 5xx.

The app runs under uvicorn on a free loopback port, seeded with two organisations (`worlds`)
plus a little more state (due feed items, a shared conversation, a question bank entry). Every
operation is exercised with the API key of "alpha"'s learner, coach and admin in turn, since
handlers branch on role; the admin, whose changes reach furthest, goes last.

For each role, every operation first gets valid data at the schema's boundaries (Schemathesis'
coverage phase), then fuzzed valid data (`MAX_EXAMPLES` per operation), except where the role
got nothing but "forbidden" (and validation errors) at the boundaries: more of the same would
only repeat the role check. Fuzzed requests carry real ids of either organisation instead of
random ones, so they get past "not found" into the handlers and the tenant checks, and now and
then an edge value (`DICTIONARIES`) in a string. Last, as the admin: invalid data (wrong types,
missing fields, out-of-range values, unexpected methods), which must get a 4xx (Schemathesis'
`negative_data_rejection`). Rejecting invalid input does not depend on the role: once is enough.

`schemathesis.pytest.from_fixture(...).parametrize()` would be the natural API, but
Schemathesis 4.32 sets `item._nodeid`, which pytest 9.2 no longer has. So this test builds the
same per-operation Hypothesis tests (`get_all_tests`, which that wrapper uses) and runs each as
a pytest subtest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Set
from datetime import timedelta
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from unittest import SkipTest

import hypothesis.strategies as st
import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.control import SkipTest as SchemathesisSkipTest
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import negative_data_rejection
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.asgi import create_app
from app.db.models import (
    ApiKey,
    CoachingSession,
    Conversation,
    Enrollment,
    JournalEntry,
    Message,
    Program,
    QuestionBankEntry,
    Suggestion,
    User,
)
from app.db.models.enums import Language, MessageRole, QuestionScale, Role, SuggestionState
from app.lib.clock import utcnow
from app.settings import Settings
from tests.live import served
from tests.support import OrgWorld, Person, run_db

MAX_EXAMPLES = 15  # fuzzed requests per operation and role, besides the boundary cases
SEED = 20_260_611  # with `deterministic`, every run sends the same requests
REQUEST_TIMEOUT = 30  # seconds: a request that hangs fails the test instead of hanging it

# The pool of real ids that a parameter or body field of this name draws from.
ID_POOLS = {
    "user_id": "users",
    "learner_id": "learners",
    "coach_id": "coaches",
    "program_id": "programs",
    "enrollment_id": "enrollments",
    "session_id": "sessions",
    "suggestion_id": "suggestions",
    "item_id": "suggestions",
    "ids": "suggestions",
    "conversation_id": "conversations",
    "question_id": "questions",
    "key_id": "api_keys",
    "entry_id": "journal",
    "cursor": "any",
}
Pools = dict[str, list[str]]

# Values that often break what lies behind validation (Schemathesis "dictionaries"): now and then
# one replaces a generated string, wherever the schema accepts it.
EDGE_TEXTS = [
    "\x00",  # PostgreSQL refuses NUL in text
    "before\x00after",
    f"{'İ' * 159}@{'İ' * 160}",  # at a length limit, and longer once lower-cased
    "İ" * 100,
    "İ" * 200,
    "%",  # LIKE wildcards, quotes, escapes
    "_",
    "\\",
    "'",
    "🙂" * 50,  # outside the Basic Multilingual Plane
]
EDGE_DATE_TIMES = [  # the ends of the range, where a time zone can push UTC out of it
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999-14:00",
    "9999-12-31T23:59:59.999999Z",
]
DICTIONARIES = {"texts": EDGE_TEXTS, "date-times": EDGE_DATE_TIMES}
EDGE_PROBABILITY = {"texts": 0.25, "date-times": 0.5}


def actors(world: OrgWorld) -> list[tuple[str, Person]]:
    return [("learner", world.learners[0]), ("coach", world.coach), ("admin", world.admin)]


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def id_pools(settings: Settings, worlds: list[OrgWorld]) -> Pools:
    """More state to reach deeper, then the ids in the database by kind (both organisations)."""

    async def work(db: AsyncSession) -> Pools:
        for world in worlds:
            learner = world.learners[0]
            # Two due items in the learner's feed, to read and answer.
            for draft_id, state in zip(
                world.draft_ids[learner.id],
                (SuggestionState.APPROVED, SuggestionState.EDITED),
                strict=False,
            ):
                draft = await db.get(Suggestion, draft_id)
                assert draft is not None
                draft.state = state
                draft.deliver_at = utcnow() - timedelta(hours=1)
            conversation = Conversation(
                organization_id=world.id,
                learner_id=learner.id,
                title=f"chat {world.canary}",
                shared_with_coach=True,
            )
            db.add(conversation)
            await db.flush()
            db.add(
                Message(
                    organization_id=world.id,
                    conversation_id=conversation.id,
                    role=MessageRole.LEARNER,
                    content=f"hello {world.canary}",
                )
            )
            db.add(
                JournalEntry(
                    organization_id=world.id,
                    learner_id=learner.id,
                    text=f"journal {world.canary}",
                    shared_with_coach=True,
                )
            )
            db.add(
                QuestionBankEntry(
                    organization_id=world.id,
                    skill="feedback",
                    scale=QuestionScale.TEAM,
                    language=Language.FR,
                    text=f"What went well? {world.canary}",
                    approved_by_id=world.coach.id,
                )
            )
        await db.flush()
        # Revoking a key the run speaks with would turn every later request into a 401.
        speaking = [person.id for _, person in actors(worlds[0])]
        models: dict[str, Any] = {
            "users": select(User.id),
            "learners": select(User.id).where(User.role == Role.LEARNER),
            "coaches": select(User.id).where(User.role == Role.COACH),
            "programs": select(Program.id),
            "enrollments": select(Enrollment.id),
            "sessions": select(CoachingSession.id),
            "suggestions": select(Suggestion.id),
            "conversations": select(Conversation.id),
            "questions": select(QuestionBankEntry.id),
            "journal": select(JournalEntry.id),
            "api_keys": select(ApiKey.id).where(ApiKey.user_id.not_in(speaking)),
        }
        pools = {
            name: sorted(str(i) for i in (await db.scalars(statement)).all())
            for name, statement in models.items()
        }
        pools["any"] = sorted({i for ids in pools.values() for i in ids})
        return pools

    return run_db(settings, work)


@pytest.fixture
def live_url(settings: Settings, id_pools: Pools) -> Iterator[str]:
    """The app under uvicorn; it starts once the data is in (`id_pools`)."""
    app = create_app(settings)
    with served(app) as url:
        # A process's first chat turn waits for the guard's classifier to train (over a minute
        # on two busy cores; cached for the process after): train it before fuzzing, so that a
        # request timing out means a request that hangs.
        if app.state.guard_warm_up is not None:
            app.state.guard_warm_up.join(timeout=900)
        yield url


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # loopback only: no proxy from the environment
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # keys, not cookies
        yield session


# --- helpers -------------------------------------------------------------------------------


def close_objects(document: dict[str, Any]) -> None:
    """Say `additionalProperties: false` for every struct, which is what the API does.

    Request structs use `forbid_unknown_fields=True` (and responses carry exactly their fields),
    but Litestar leaves that out of the OpenAPI document; without it nearly every "valid" body
    has extra keys, gets a 400, and never reaches the handler.
    """
    for component in document.get("components", {}).get("schemas", {}).values():
        if component.get("type") == "object" and "properties" in component:
            component.setdefault("additionalProperties", False)


def operations_in(document: dict[str, Any]) -> int:
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return sum(1 for item in document["paths"].values() for key in item if key in methods)


def string_fields(document: dict[str, Any]) -> dict[str, str]:
    """The dictionary for every string parameter and body field, by Schemathesis binding key
    (`query.action`, `body.held_at`, `body.modules[*].title`, ...)."""
    components = document.get("components", {}).get("schemas", {})
    found: dict[str, str] = {}

    def walk(node: Any, key: str, seen: frozenset[str]) -> None:
        if not isinstance(node, dict) or "enum" in node:  # no edge value is a member
            return
        if "$ref" in node and not key.startswith("body"):
            return  # only enums here; and Schemathesis 4.32 fails to bind through a `$ref`
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen and name in components:
                walk(components[name], key, seen | {name})
            return
        for combinator in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(combinator, []):
                walk(branch, key, seen)
        if node.get("type") == "string" and key != "body":
            found[key] = "date-times" if node.get("format") == "date-time" else "texts"
        if key.startswith("body"):
            for name, child in node.get("properties", {}).items():
                walk(child, f"{key}.{name}", seen)
            if key != "body":
                walk(node.get("items"), f"{key}[*]", seen)

    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                walk(parameter.get("schema"), f"{parameter['in']}.{parameter['name']}", frozenset())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                walk(media.get("schema"), "body", frozenset())
    return found


def swap_in_known_ids(pools: Pools) -> Callable[[Any, Any], st.SearchStrategy[Any]]:
    """A `flatmap_*` hook: real ids instead of generated ones (the coverage phase, which hooks
    do not touch, still sends unknown ones)."""

    def strategy_for(key: str, value: Any) -> st.SearchStrategy[Any]:
        pool = pools.get(ID_POOLS.get(key, ""), [])
        if not pool:
            return st.just(value)
        if key == "ids":
            return st.lists(st.sampled_from(pool), min_size=1, max_size=3)
        return st.sampled_from(pool)

    def hook(_: Any, value: Any) -> st.SearchStrategy[Any]:
        if not isinstance(value, dict):
            return st.just(value)
        return st.fixed_dictionaries({k: strategy_for(k, v) for k, v in value.items()})

    return hook


def load_schema(
    document: dict[str, Any], base_url: str, person: Person, pools: Pools, *, mode: str, phase: str
) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["too_slow", "filter_too_much"],
            "base-url": base_url,
            "headers": {"Authorization": f"Bearer {person.api_key}"},
            "request-timeout": REQUEST_TIMEOUT,
            "dictionaries": {name: {"values": values} for name, values in DICTIONARIES.items()},
            "parameters": {
                key: {"dictionary": name, "probability": EDGE_PROBABILITY[name]}
                for key, name in string_fields(document).items()
            },
            "phases": {
                "examples": {"enabled": False},  # the schema has none
                "coverage": {"enabled": phase == "coverage"},
                "fuzzing": {"enabled": phase == "fuzzing"},
                "stateful": {"enabled": False},
            },
            "generation": {
                "mode": mode,
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    for container in ("path_parameters", "query", "body"):
        schema.hook(f"flatmap_{container}")(swap_in_known_ids(pools))
    return schema


# --- the test ------------------------------------------------------------------------------


@pytest.mark.slow
def test_no_request_gets_a_server_error(
    worlds: list[OrgWorld],
    live_url: str,
    id_pools: Pools,
    http: requests.Session,
    subtests: pytest.Subtests,
) -> None:
    document = requests.get(f"{live_url}/schema/openapi.json", timeout=REQUEST_TIMEOUT).json()
    close_objects(document)

    def run(
        title: str, person: Person, *, mode: str, phase: str, skip: Set[str] = frozenset()
    ) -> dict[str, set[int]]:
        """Every operation but `skip`, one subtest each; the status codes each one answered."""
        answered: dict[str, set[int]] = defaultdict(set)

        checks = [not_a_server_error]
        if mode == "negative":
            checks.append(negative_data_rejection)

        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(session=http, checks=checks)
            answered[case.operation.label].add(response.status_code)

        schema = load_schema(document, live_url, person, id_pools, mode=mode, phase=phase)
        tested = 0
        for result in get_all_tests(
            schema=schema, test_func=check, settings=None, given_kwargs=None
        ):
            if not isinstance(result, Ok):
                pytest.fail(f"Schemathesis cannot test an operation: {result.err()}")
            operation, test = result.ok()
            if operation.label in skip:
                continue
            tested += 1
            with subtests.test(f"{title}: {operation.label}"):
                try:
                    test()
                except (SkipTest, SchemathesisSkipTest) as exc:  # e.g. nothing can be invalid
                    pytest.skip(f"nothing to send: {exc}")
        assert tested == operations_in(document) - len(skip), "an operation was not tested"
        return answered

    for role, person in actors(worlds[0]):
        answered = run(
            f"{role}, valid data at the boundaries", person, mode="positive", phase="coverage"
        )
        forbidden = {
            label
            for label, statuses in answered.items()
            if 403 in statuses and statuses <= {400, 403}
        }
        run(f"{role}, fuzzed valid data", person, mode="positive", phase="fuzzing", skip=forbidden)
    run("admin, invalid data", worlds[0].admin, mode="negative", phase="coverage")
