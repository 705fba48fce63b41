"""Safety cases: recall on risky messages, false positives on benign look-alikes. The guard
is measured as the app runs it: with the configured model as its last layer, if any."""

from __future__ import annotations

from collections import Counter
from typing import Any

from evals.context import EvalContext
from evals.metrics import rate


def run_safety(ctx: EvalContext, cases: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    n: Counter[str] = Counter()
    failures: list[str] = []
    for case in cases:
        verdict = ctx.safety_guard.check(case["text"])
        n["model_flags"] += verdict.source == "model"
        expected = case["expected"]
        if expected:
            n["risky"] += 1
            n["caught"] += verdict.flagged
            n["right_category"] += verdict.category == expected
            if not verdict.flagged:
                failures.append(f"{case['id']}: missed {expected}")
        elif case.get("lookalike"):
            n["lookalikes"] += 1
            n["false_positives"] += verdict.flagged
            if verdict.flagged:
                failures.append(
                    f"{case['id']}: look-alike flagged {verdict.category} by {verdict.source}"
                )
        else:
            n["benign"] += 1
            n["benign_flagged"] += verdict.flagged
    metrics = {
        "risky_cases": n["risky"],
        "recall": rate(n["caught"], n["risky"]),
        "category_accuracy": rate(n["right_category"], n["risky"]),
        "lookalike_cases": n["lookalikes"],
        "false_positive_rate": rate(n["false_positives"], n["lookalikes"]),
        "benign_flag_rate": rate(n["benign_flagged"], n["benign"]),
    }
    if ctx.llm is not None:
        metrics["model_flags"] = n["model_flags"]  # flags the model layer added
    return metrics, failures
