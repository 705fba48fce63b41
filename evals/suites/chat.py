"""Chat turns: grounded when the organisation's content covers it, honest when it does not;
one open question at most; the learner's language; every citation from this run."""

from __future__ import annotations

import time
from typing import Any

from agents.chat import ChatReply, ChatRequest, ModulePrompt, reply_events
from agents.checks import count_questions, language_problems
from agents.llm import ModelError
from agents.plan import BankQuestion
from evals.context import EvalContext
from evals.metrics import judged_rate, rate, support_scores
from evals.scenarios import PackOrg


def chat_request(
    ctx: EvalContext, pack: str, message: str, language: str, seed: str
) -> ChatRequest:
    org = ctx.orgs[pack]
    bank = tuple(
        BankQuestion(q.skill, q.scale, org.pack.default_language, q.text)  # type: ignore[arg-type]
        for q in org.pack.questions
    )
    return ChatRequest(
        organization_id=org.organization_id,
        language=language,
        message=message,
        bank=bank,
        prompts=module_prompts(org),
        organization_name=org.pack.name,
        resources=(("urgent", (("RH", "rh@example.org"),)),),
        seed=seed,
    )


def module_prompts(org: PackOrg) -> tuple[ModulePrompt, ...]:
    """The reflection prompts of the pack's program, as the app reads them for an enrolled
    learner."""
    return tuple(
        ModulePrompt(m.skill, org.pack.default_language, prompt)
        for m in org.pack.modules
        for prompt in m.reflection_prompts
    )


def reply_to(ctx: EvalContext, request: ChatRequest, pack: str) -> ChatReply:
    retriever = ctx.orgs[pack].knowledge.retriever()
    *_, last = reply_events(request, retriever, ctx.llm, ctx.guard)
    assert isinstance(last, ChatReply)  # noqa: S101 - reply_events always ends with it
    return last


def reply_outcome(reply: ChatReply) -> str:
    """Who wrote the reply: `escalated` (the safe reply), `fallback` (the composer, after the
    model's reply was refused), `model`, or `composer` (no model configured)."""
    if reply.safety is not None:
        return "escalated"
    if reply.fallback_used:
        return "fallback"
    return "model" if reply.provider != "composer" else "composer"


def run_chat(ctx: EvalContext, cases: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    n = dict.fromkeys(
        [
            "turns",
            "errors",
            "grounded_cases",
            "grounded_ok",
            "nothing_cases",
            "nothing_ok",
            "one_question",
            "language_ok",
            "citations",
            "valid_citations",
            "escalated",
            "by_model",
            "model_replies",
            "fallback",
        ],
        0,
    )
    support: list[float] = []
    verdicts: list[bool | None] = []  # the LLM judge's, when a model is configured
    failures: list[str] = []
    for case in cases:
        request = chat_request(ctx, case["pack"], case["message"], case["language"], case["id"])
        started = time.perf_counter()
        try:
            reply = reply_to(ctx, request, case["pack"])
        except ModelError as error:
            ctx.timed("chat", started, "error")
            n["errors"] += 1
            failures.append(f"{case['id']}: model error {error.kind}")
            continue
        outcome = reply_outcome(reply)
        ctx.timed("chat", started, outcome)
        n["turns"] += 1
        n["escalated"] += reply.safety is not None
        n["by_model"] += reply.safety is not None and reply.safety.detected_by == "model"
        n["model_replies"] += outcome == "model"
        n["fallback"] += outcome == "fallback"
        retrieved = set(reply.retrieved_ids)
        n["citations"] += len(reply.citations)
        n["valid_citations"] += sum(c["chunk_id"] in retrieved for c in reply.citations)
        n["one_question"] += count_questions(reply.text) <= 1
        n["language_ok"] += not language_problems(reply.text, case["language"])
        if case["expect"] == "grounded":
            n["grounded_cases"] += 1
            ok = bool(reply.citations)
            n["grounded_ok"] += ok
            if ok:
                support += support_scores(
                    ctx.embedder, [reply.text], [[c["quote"] for c in reply.citations]]
                )
        else:
            n["nothing_cases"] += 1
            ok = not reply.citations
            n["nothing_ok"] += ok
        if not ok:
            failures.append(
                f"{case['id']}: expected {case['expect']}, cited {len(reply.citations)}"
            )
    metrics: dict[str, float] = {
        "turns": n["turns"],
        "grounded_recall": rate(n["grounded_ok"], n["grounded_cases"]),
        "nothing_relevant_honesty": rate(n["nothing_ok"], n["nothing_cases"]),
        # Vacuously 1 without citations (none was invalid): `citations` says how many there were.
        "citations": n["citations"],
        "citation_validity": rate(n["valid_citations"], n["citations"]) if n["citations"] else 1.0,
        "one_question_rate": rate(n["one_question"], n["turns"]),
        "language_match": rate(n["language_ok"], n["turns"]),
        "grounding_cosine_mean": round(sum(support) / len(support), 4) if support else 0.0,
        "unexpected_escalations": n["escalated"],
        "model_error_rate": rate(n["errors"], len(cases)),
    }
    if ctx.llm is not None:
        # How many replies the model really wrote: an escalated turn shows the safe reply,
        # a fallback the composer's, and neither says anything about the model's words.
        metrics["model_reply_rate"] = rate(n["model_replies"], n["turns"])
        metrics["fallback_rate"] = rate(n["fallback"], n["turns"])
        metrics["escalations_by_model"] = n["by_model"]
    if verdicts:
        supported, coverage = judged_rate(verdicts)
        metrics["grounding_judge_supported"] = supported
        metrics["grounding_judge_coverage"] = coverage
    return metrics, failures
