"""Throughput benchmark: many learners chatting at once with one server process.

Setup (the honest one on a small machine): the app is served by `uvicorn` in a **subprocess**,
one process (`--workers 1`), on 127.0.0.1, in composer mode (the default runtime: no model),
logging its JSON access lines at INFO to a file as in production. The **client** is this
process: an asyncio httpx client with a connection limit equal to the number of learners, so
its CPU is spent outside the server's process (on 2 cores, each side gets about one).

Each learner has an API key and a conversation, seeded through the domain services before the
server starts, with one sample-pack document indexed so retrieval has something to find, and the
safety guard's reader trained into the data folder's cache (untimed), as a deployed server finds
it. After one warm-up turn per learner (the embedding model loads then), every learner loops
`POST /api/v1/conversations/{id}/messages` (non-streamed) for `seconds`, each message a new
text (`learner_message`). A turn counts as an
error when the call raises, answers anything but 201, or answers without a reply (the reply
failed). Reported: turns/s (successful turns over the wall time until the last turn ends),
latency p50/p95/p99, errors, and the CPU seconds the server and the client used per turn.

Also the helpers the overhead benchmark shares: settings, seeding and report saving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import migrate
from app.db.engine import run_in_transaction
from app.db.models import Conversation
from app.db.models.enums import Role
from app.lib.security import Passwords
from app.runtime import build_knowledge
from app.settings import Settings
from evals.bench.queue import bench_database
from evals.bench.results import REPORTS, Report, summarise_ms
from evals.bench.seed import organization_with_pack, person_with_key

# What learners say, in turn: French like their locale and the indexed document.
MESSAGES = (
    "Comment donner un retour plus direct à mon équipe sans la froisser ?",
    "J'ai du mal à prendre la parole en comité de production, que faire ?",
    "Mon équipe ne partage pas ses difficultés, comment instaurer plus de confiance ?",
    "Je veux mieux préparer mes entretiens individuels cette semaine.",
    "Comment dire non à une demande urgente de mon responsable ?",
)
BACKENDS = ("sqlite", "postgresql")


def learner_message(turn: int) -> str:
    """The turn's message: one of MESSAGES, made new by the week it speaks of, so each turn
    embeds its own text as a real one does (the embedder keeps recent texts: five messages
    in a loop would never be embedded again, and the bench would skip a cost of ~6 ms)."""
    return f"{MESSAGES[turn % len(MESSAGES)]} (semaine {turn // len(MESSAGES) + 1})"


# --- shared with the overhead benchmark -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BenchLearner:
    api_key: str
    conversation_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def messages_path(self) -> str:
        return f"/api/v1/conversations/{self.conversation_id}/messages"


def bench_settings(database_url: str, data_dir: Path) -> Settings:
    """Production-like settings (INFO JSON logs, composer, packaged embeddings) on scratch
    storage; only the password hashing cost is lowered (nobody logs in with a password)."""
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        log_level="INFO",
        log_format="json",
        chat_provider="composer",
        embedding_provider="use",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )


def seed_learners(settings: Settings, count: int) -> list[BenchLearner]:
    """One organisation with one indexed document; `count` learners, each with an API key and
    a conversation. Written through the domain services, before any server starts."""
    knowledge = build_knowledge(settings)
    passwords = Passwords.from_settings(settings)

    async def work(db: AsyncSession) -> list[BenchLearner]:
        org = await organization_with_pack(db, knowledge, settings, slug="bench", name="Bench")
        learners = []
        for i in range(count):
            user, secret = await person_with_key(
                db,
                passwords,
                org.id,
                email=f"learner{i}@bench.example",
                name=f"Learner {i}",
                role=Role.LEARNER,
            )
            conversation = Conversation(
                organization_id=org.id, learner_id=user.id, title="Bench", shared_with_coach=False
            )
            db.add(conversation)
            await db.flush()
            learners.append(BenchLearner(secret, str(conversation.id)))
        return learners

    return run_in_transaction(settings.resolved_database_url, work)


def save_report(report: Report, folder: Path = REPORTS) -> str:
    """`Report.save_and_compare`, into `folder` (tests write to a temporary one)."""
    return report.save_and_compare(folder)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def postgres_answers(postgres_url: str) -> bool:
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def chosen_backends(database: str, postgres_url: str, say: Any) -> list[str]:
    """`both` means PostgreSQL too when its server answers (said when it does not)."""
    if database != "both":
        return [database]
    if postgres_answers(postgres_url):
        return list(BACKENDS)
    say(f"NOTICE: no PostgreSQL server at {postgres_url}: PostgreSQL run SKIPPED.")
    return ["sqlite"]


def load_average() -> float:
    """The machine's 1-minute load average: other work on the machine skews timings."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0


def quiet_client_logs() -> None:
    # One line per request from the HTTP client and per migration would bury the results.
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# --- the server, in its own process -----------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class ServerProcess:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def cpu_seconds(self) -> float | None:
        return cpu_seconds(self.process.pid)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_errors(self, limit: int = 3) -> str:
        """The first error lines of the server's log (the access lines are left out)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        found = [
            _error_summary(line)
            for line in text.splitlines()
            if '"level": "error"' in line or '"level": "critical"' in line
        ]
        return "\n".join(found[:limit]) or self.log_tail()


def _error_summary(line: str) -> str:
    """One JSON error line, short: the exception's last line and our own frames."""
    try:
        record = json.loads(line)
    except ValueError:
        return line[:500]
    exception = str(record.get("exception", ""))
    lines = exception.splitlines()
    ours = [
        part.strip()
        for part in lines
        if part.strip().startswith("File") and "site-packages" not in part
    ]
    final = next((part for part in reversed(lines) if part and not part[0].isspace()), "")
    where = " <- ".join(reversed(ours[-3:]))
    return f"  {record.get('event')}: {final[:400]}\n    at {where}"


def train_guard_once(settings: Settings) -> None:
    """Train the safety guard into the data folder's cache, so every server process loads it
    at start instead of training (minutes of CPU on 2 cores) under the first count's load."""
    from agents.safety import SafetyGuard
    from knowledge.embeddings import UniversalSentenceEncoder

    guard = SafetyGuard(UniversalSentenceEncoder(), None, cache_dir=settings.safety_cache_dir)
    if (training := guard.warm_up()) is not None:
        training.join()


@contextlib.contextmanager
def served_in_subprocess(
    settings: Settings, timeout_s: float = 120, workers: int = 1
) -> Iterator[ServerProcess]:
    """`uvicorn app.asgi:create_app --factory --workers N` on 127.0.0.1, configured through
    the environment as an operator would; its logs go to a file next to the data."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERLUDE_")}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DATABASE_URL": settings.resolved_database_url,
            "INTERLUDE_DATA_DIR": str(settings.data_dir),
            "INTERLUDE_ENVIRONMENT": settings.environment,
            "INTERLUDE_LOG_LEVEL": settings.log_level,
            "INTERLUDE_LOG_FORMAT": settings.log_format,
            "INTERLUDE_CHAT_PROVIDER": settings.chat_provider,
            "INTERLUDE_EMBEDDING_PROVIDER": settings.embedding_provider,
            "INTERLUDE_KNOWLEDGE_STORE": settings.knowledge_store,
            "INTERLUDE_ARGON2_TIME_COST": str(settings.argon2_time_cost),
            "INTERLUDE_ARGON2_MEMORY_KIB": str(settings.argon2_memory_kib),
        }
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.asgi:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",  # as `interlude serve`: our own access log reports requests
    ]
    log_path = settings.data_dir / f"server-{workers}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            command, env=env, cwd=settings.data_dir, stdout=log, stderr=subprocess.STDOUT
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_up(server, timeout_s)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: ServerProcess, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"The server exited ({server.process.returncode}):\n{server.log_tail()}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.base_url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"The server did not answer /health in {timeout_s} s:\n{server.log_tail()}")


# --- the load ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    elapsed_s: float = 0.0

    def fail(self, why: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or why


async def _turn(
    client: httpx.AsyncClient, learner: BenchLearner, text: str, result: LoadResult | None
) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(
            learner.messages_path, json={"content": text}, headers=learner.headers
        )
    except httpx.HTTPError as error:
        if result is not None:
            result.fail(f"{type(error).__name__}: {error}")
        return
    elapsed_ms = (time.perf_counter() - started) * 1000
    if result is None:
        return
    if response.status_code != 201:
        result.fail(f"{response.status_code}: {response.text[:300]}")
    elif response.json().get("reply") is None:
        result.fail(f"no reply: {response.json()['message'].get('error', '')}")
    else:
        result.latencies_ms.append(elapsed_ms)


async def run_load(
    base_url: str, learners: list[BenchLearner], seconds: float, ramp_s: float = 0.0
) -> LoadResult:
    """`ramp_s`: the learners start one after the other over this time (their connections are
    opened as they start), instead of all at once."""
    limits = httpx.Limits(max_connections=len(learners), max_keepalive_connections=len(learners))
    timeout = httpx.Timeout(120.0)
    result = LoadResult()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:
        # Warm-up, not counted: loads the embedding model. Its own client: connections that
        # sat idle while the slowest warm-up turn ended may be closed by the server's
        # keep-alive timeout just as they are reused, a client-side race, not a server error.
        await asyncio.gather(*(_turn(client, le, MESSAGES[0], None) for le in learners))
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:
        deadline = time.perf_counter() + seconds

        async def learner_loop(index: int, learner: BenchLearner) -> None:
            await asyncio.sleep(index * ramp_s / len(learners))
            turn = index
            while time.perf_counter() < deadline:  # never idle: the next turn follows at once
                await _turn(client, learner, learner_message(turn), result)
                turn += 1

        started = time.perf_counter()
        await asyncio.gather(*(learner_loop(i, le) for i, le in enumerate(learners)))
        result.elapsed_s = time.perf_counter() - started
    return result


def _measure(
    settings: Settings, learners: list[BenchLearner], seconds: float
) -> tuple[dict[str, float], str]:
    notes = ""
    with served_in_subprocess(settings) as server:
        server_cpu_before = server.cpu_seconds()
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        result = asyncio.run(run_load(server.base_url, learners, seconds))
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu_after = server.cpu_seconds()
        if result.first_error:
            notes = f"  first error: {result.first_error}\n  server log:\n{server.log_errors()}"
    turns = len(result.latencies_ms)
    metrics: dict[str, float] = {
        "turns_per_s": round(turns / result.elapsed_s, 2) if result.elapsed_s else 0.0,
        "turns": float(turns),
        "errors": float(result.errors),
    }
    if turns:
        for stat, value in summarise_ms(result.latencies_ms).items():
            metrics[f"latency.{stat}"] = value
        client_cpu = (client_after.ru_utime + client_after.ru_stime) - (
            client_before.ru_utime + client_before.ru_stime
        )
        metrics["client_cpu_ms_per_turn"] = round(client_cpu * 1000 / turns, 3)
        if server_cpu_before is not None and server_cpu_after is not None:
            server_cpu = server_cpu_after - server_cpu_before
            metrics["server_cpu_ms_per_turn"] = round(server_cpu * 1000 / turns, 3)
            metrics["server_cpu_cores_busy"] = round(server_cpu / result.elapsed_s, 2)
    return metrics, notes


def run_throughput_bench(
    backends: list[str], learners: int, seconds: float, postgres_url: str, reports: Path
) -> list[str]:
    quiet_client_logs()
    tables = []
    for backend in backends:
        with (
            bench_database(backend, postgres_url) as url,
            TemporaryDirectory(prefix="interlude-bench-data-") as data,
        ):
            migrate.upgrade(url)
            settings = bench_settings(url, Path(data))
            seeded = seed_learners(settings, learners)
            # Not timed: a fresh data folder would make the first turns wait for the guard's
            # training (minutes of CPU; the warm-up turns timed out at 120 s once the corpus
            # grew to 7,072 messages). A deployed server loads it from its folder.
            train_guard_once(settings)
            load = load_average()
            metrics, notes = _measure(settings, seeded, seconds)
            load_after = load_average()
        report = Report(
            name=f"throughput-{backend}",
            parameters={
                "learners": learners,
                "seconds": seconds,
                "server": "uvicorn, 1 process, subprocess; client: asyncio httpx, this process",
                "runtime": "composer",
                "load_average_before": load,
                "load_average_after": load_after,
            },
            metrics=metrics,
        )
        table = save_report(report, reports)
        target = "met" if metrics["turns_per_s"] >= 100 and metrics["errors"] == 0 else "MISSED"
        table += f"\n  target ≥ 100 turns/s with 0 errors on one process: {target}"
        tables.append(f"{table}\n{notes}" if notes else table)
    return tables
