"""Timing statistics and the committed result files they are compared against."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPORTS = Path(__file__).resolve().parent.parent / "reports" / "bench"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise_ms(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 50), 3),
        "p95_ms": round(percentile(samples, 95), 3),
        "p99_ms": round(percentile(samples, 99), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
    }


async def time_async(call: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from PATH, fixed args)
            capture_output=True,
            text=True,
            check=False,
            cwd=REPORTS,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


@dataclass
class Report:
    name: str
    parameters: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)

    def save_and_compare(self, folder: Path = REPORTS) -> str:
        """Write the JSON report and return a table against the previous one (if any)."""
        path = folder / f"{self.name}.json"
        previous: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        folder.mkdir(parents=True, exist_ok=True)
        document = {
            "name": self.name,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "parameters": self.parameters,
            "metrics": self.metrics,
        }
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        return render_comparison(self.name, self.metrics, previous)


def render_comparison(name: str, metrics: dict[str, float], previous: dict[str, Any]) -> str:
    before = previous.get("metrics", {})
    since = f"vs {previous.get('commit', '?')} ({previous.get('date', '?')})" if before else ""
    lines = [
        f"{name} {since}".rstrip(),
        f"  {'metric':<40} {'now':>12} {'before':>12} {'ratio':>7}",
    ]
    for key, value in metrics.items():
        old = before.get(key)
        ratio = f"{value / old:.2f}x" if isinstance(old, int | float) and old else "-"
        old_text = f"{old:.3f}" if isinstance(old, int | float) else "-"
        lines.append(f"  {key:<40} {value:>12.3f} {old_text:>12} {ratio:>7}")
    return "\n".join(lines)
