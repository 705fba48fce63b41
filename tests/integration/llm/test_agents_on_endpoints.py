"""The agents and the app on real OpenAI-compatible endpoints: llama.cpp's server running
SmolLM2 (a weak but real model: the machinery must hold), and the scripted fault server.

Whatever the endpoint does, the learner's message stays stored with a clear status, a plan job
is retried and ends with drafts, and every citation comes from this run's retrieval.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from agents.llm import ChatConfig, OpenAIChatModel
from agents.plan import draft_plan
from evals.llama_server import Endpoint
from evals.scenarios import PackOrg, index_pack
from knowledge.base import KnowledgeBase
from knowledge.embeddings import UniversalSentenceEncoder
from tests.integration.test_agents_api import _index, _log_session, _wait_for_plan
from tests.llm_servers import FaultServer, error, malformed, slow, stream
from tests.support import OrgWorld, build_worlds, with_key

pytestmark = pytest.mark.llm
QUESTION = "Comment donner un retour direct à un collègue sans le froisser ?"


def _model(base_url: str, model: str = "scripted", **options: Any) -> OpenAIChatModel:
    config = {"timeout_s": 60.0, "max_tokens": 300, "max_retries": 0, **options}
    return OpenAIChatModel(ChatConfig(model=model, base_url=base_url, api_key="unused", **config))


@pytest.fixture(scope="module")
def brightwater(tmp_path_factory: pytest.TempPathFactory) -> PackOrg:
    # English: SmolLM2's tokenizer spends about twice as many tokens on French, and a CPU
    # evaluates a few hundred prompt tokens per second.
    root: Path = tmp_path_factory.mktemp("llm-knowledge")
    return index_pack(KnowledgeBase(root, UniversalSentenceEncoder()), "brightwater-en")


def test_the_plan_agent_on_smollm2_ends_valid_or_falls_back_with_a_reason(
    llama_server: Endpoint, brightwater: PackOrg
) -> None:
    llm = _model(
        llama_server.base_url, llama_server.model, json_mode="json_object", timeout_s=240.0
    )
    skill = brightwater.pack.modules[0].skill
    request = brightwater.plan_request(
        "Give clearer feedback to my team.", focus_skills=(skill,), seed="llm"
    )

    result = draft_plan(request, brightwater.knowledge.retriever(), llm)

    assert result.provider == "openai"
    assert 1 <= result.model_calls <= 2  # a draft, and at most one repair
    if result.fallback_used:
        assert result.problems  # why the model's plan was refused is on record
        assert "validation" in result.fallback_reason
    assert {i.kind for i in result.items} >= {"reflection", "company_question", "team_question"}
    cited = {c["chunk_id"] for i in result.items for c in i.citations}
    assert cited <= set(result.retrieved_ids)
    assert result.tokens_out > 0


@pytest.fixture
def seeded(settings: Any) -> list[OrgWorld]:
    worlds = build_worlds(settings, "alpha", "beta")
    _index(settings, worlds)
    return worlds


def test_a_chat_reply_streams_from_a_real_server(
    llama_server: Endpoint, seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app(_model(llama_server.base_url, llama_server.model, max_tokens=60))
    learner = with_key(client, seeded[0].learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()

    response = learner.post(
        f"/api/v1/conversations/{conversation['id']}/messages/stream", json={"content": QUESTION}
    )

    names = [line[7:] for line in response.text.splitlines() if line.startswith("event: ")]
    assert names[0] == "stored"
    assert names[-1] == "reply"
    assert "delta" in names
    listed = learner.get(f"/api/v1/conversations/{conversation['id']}/messages").json()["items"]
    assert [m["status"] for m in listed] == ["replied", "replied"]
    assert listed[1]["content"]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (error(500), "server"),
        (error(429, Retry_After="0"), "rate_limited"),
        (malformed(), "server"),
        (slow(3.0), "timeout"),
    ],
    ids=["500", "429", "malformed", "slow"],
)
def test_an_endpoint_fault_keeps_the_message_and_a_retry_answers_it(
    fault_server: FaultServer,
    seeded: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    fault: Any,
    kind: str,
) -> None:
    fault_server.script(fault)
    client = start_app(_model(fault_server.base_url, timeout_s=1.0))
    learner = with_key(client, seeded[0].learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()
    path = f"/api/v1/conversations/{conversation['id']}/messages"

    turn = learner.post(path, json={"content": QUESTION}).json()

    assert turn["reply"] is None
    assert turn["message"]["status"] == "failed"
    assert f"({kind})" in turn["message"]["error"]
    fault_server.script(stream(["Je vous entends. ", "Qu'est-ce qui ", "vous retient ?"]))
    retried = learner.post(f"{path}/{turn['message']['id']}/retry", json={}).json()
    assert retried["reply"]["content"] == "Je vous entends. Qu'est-ce qui vous retient ?"
    assert [m["content"] for m in learner.get(path).json()["items"]] == [
        QUESTION,
        retried["reply"]["content"],
    ]


def test_a_chat_turn_with_the_server_down_is_kept_and_says_so(
    seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    client = start_app(_model("http://127.0.0.1:9/v1", timeout_s=1.0))  # nothing listens
    learner = with_key(client, seeded[0].learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()

    turn = learner.post(
        f"/api/v1/conversations/{conversation['id']}/messages", json={"content": QUESTION}
    ).json()

    assert turn["message"]["status"] == "failed"
    assert "(unavailable)" in turn["message"]["error"]


def test_a_plan_job_on_a_failing_endpoint_is_retried_then_saved_by_the_composer(
    fault_server: FaultServer, seeded: list[OrgWorld], start_app: Callable[..., TestClient[Any]]
) -> None:
    fault_server.script(error(503))
    client = start_app(_model(fault_server.base_url, timeout_s=1.0), plan_max_attempts=2)
    coach = with_key(client, seeded[0].coach)
    started = time.monotonic()

    session = _log_session(coach, seeded[0].learners[0].id)
    run = _wait_for_plan(coach, session["id"])

    assert run["status"] == "done"
    assert run["attempts"] == 2
    assert run["fallback_used"]
    assert "server" in run["details"]["fallback_reason"]
    assert len(fault_server.requests) == 2  # one request per attempt (max_retries=0 here)
    assert time.monotonic() - started < 30
