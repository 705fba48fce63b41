"""Plan scenarios: is each drafted plan valid, grounded, well-formed and linked to values?"""

from __future__ import annotations

import time
from typing import Any

from agents.checks import language_problems, question_problems
from agents.grounding import COMPANY_KINDS
from agents.llm import ModelError
from agents.plan import PlanResult, draft_plan
from evals.context import EvalContext
from evals.metrics import judge_supported, judged_rate, lexical_support, rate, support_scores

QUESTIONS = {"reflection", "company_question", "team_question"}


def _plan_problems(items: list[Any], language: str) -> list[str]:
    kinds = {i.kind for i in items}
    problems = [f"no {k}" for k in sorted(QUESTIONS) if k not in kinds]
    if not 3 <= len(items) <= 6:
        problems.append(f"{len(items)} items")
    for item in items:
        if item.kind in QUESTIONS:
            problems += question_problems(item.text, language)
        problems += language_problems(item.text, language)
    return problems


def _outcome(case_id: str, result: PlanResult, counts: dict[str, int], failures: list[str]) -> str:
    """Counts how the plan ended; `fallback` (the composer's) or `model` (the model's kept)."""
    counts["plans"] += 1
    counts["fallback"] += result.fallback_used
    counts["repaired"] += result.model_calls > 1 and not result.fallback_used
    if result.fallback_used:
        # What validation refused in the model's last answer (after its one repair).
        failures.append(f"{case_id}: fallback; the model's plan had {result.problems[:1]}")
        return "fallback"
    return "model" if result.provider != "composer" else "composer"


def run_plan(ctx: EvalContext, cases: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    counts = dict.fromkeys(
        [
            "plans",
            "valid",
            "fallback",
            "repaired",
            "errors",
            "items",
            "citations",
            "valid_citations",
            "questions",
            "open_questions",
            "company",
            "company_linked",
            "language_ok",
        ],
        0,
    )
    grounding: list[float] = []
    verdicts: list[bool | None] = []  # the LLM judge's, when a model is configured
    lexical: list[float] = []
    failures: list[str] = []
    for case in cases:
        org = ctx.orgs[case["pack"]]
        request = org.plan_request(
            case["goal"],
            focus_skills=tuple(case.get("focus_skills", ())),
            notes=case.get("notes", ""),
            agreed_actions=tuple(case.get("agreed_actions", ())),
            language=case.get("language"),
            seed=case["id"],
        )
        started = time.perf_counter()
        try:
            result = draft_plan(request, org.knowledge.retriever(), ctx.llm)
        except ModelError as error:
            ctx.timed("plan", started, "error")
            counts["errors"] += 1
            failures.append(f"{case['id']}: model error {error.kind}")
            continue
        ctx.timed("plan", started, _outcome(case["id"], result, counts, failures))
        retrieved = set(result.retrieved_ids)
        live = org.knowledge.catalogue.live_chunks(list(retrieved))
        sources = []  # (kind, text) of cited chunks, per item
        for item in result.items:
            counts["items"] += 1
            cited = list(item.citations)
            counts["citations"] += len(cited)
            counts["valid_citations"] += sum(
                c["chunk_id"] in retrieved and c["chunk_id"] in live for c in cited
            )
            if item.kind in QUESTIONS:
                counts["questions"] += 1
                counts["open_questions"] += not question_problems(item.text, request.language)
            if item.kind == "company_question":
                counts["company"] += 1
                counts["company_linked"] += any(c["kind"] in COMPANY_KINDS for c in cited)
            counts["language_ok"] += not language_problems(item.text, request.language)
            texts = [live[c["chunk_id"]].text for c in cited if c["chunk_id"] in live]
            sources.append(texts)
            lexical.append(lexical_support(item.text, texts))
            if ctx.llm is not None:
                verdicts.append(judge_supported(ctx.llm, item.text, texts))
        grounding += support_scores(ctx.embedder, [i.text for i in result.items], sources)
        problems = _plan_problems(result.items, request.language)
        counts["valid"] += not problems
        if problems:
            failures.append(f"{case['id']}: {problems[0]}")
    metrics: dict[str, float] = {
        "plans": counts["plans"],
        "valid_plan_rate": rate(counts["valid"], counts["plans"]),
        "citations": counts["citations"],
        "citation_validity": (
            rate(counts["valid_citations"], counts["citations"]) if counts["citations"] else 1.0
        ),
        "question_form": rate(counts["open_questions"], counts["questions"]),
        "value_linkage": rate(counts["company_linked"], counts["company"]),
        "language_match": rate(counts["language_ok"], counts["items"]),
        "grounding_cosine_mean": round(sum(grounding) / len(grounding), 4) if grounding else 0.0,
        "grounding_lexical_mean": round(sum(lexical) / len(lexical), 4) if lexical else 0.0,
        "fallback_rate": rate(counts["fallback"], counts["plans"]),
        "model_error_rate": rate(counts["errors"], len(cases)),
        "items_per_plan": round(counts["items"] / counts["plans"], 2) if counts["plans"] else 0.0,
    }
    if ctx.llm is not None:
        # Each plan ends one way: the model's first draft kept, its repair kept, or the
        # composer's plan (fallback_rate); model errors are counted apart (model_error_rate).
        kept_first = counts["plans"] - counts["fallback"] - counts["repaired"]
        metrics["first_draft_rate"] = rate(kept_first, counts["plans"])
        metrics["repaired_rate"] = rate(counts["repaired"], counts["plans"])
    if verdicts:
        supported, coverage = judged_rate(verdicts)
        metrics["grounding_judge_supported"] = supported
        metrics["grounding_judge_coverage"] = coverage
    return metrics, failures
