"""Browser tests: the app served by uvicorn on 127.0.0.1, driven by Debian's Chromium.

One server for the session: a temporary SQLite database migrated by Alembic, seeded with
`build_worlds` (organisations alpha and beta), and part of the French sample pack indexed for
alpha. Without /usr/bin/chromium and /usr/bin/chromedriver the tests are skipped with a visible
notice, unless INTERLUDE_REQUIRE_BROWSER=1 (as in CI), which makes that a failure.
Screenshots go to var/test-artifacts/screenshots/ (not committed).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import migrate
from app.db.models.enums import Language, Role
from app.domain.people.services import add_user
from app.lib.security import Passwords
from app.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import UniversalSentenceEncoder
from knowledge.loaders import load_document
from knowledge.packs import PACKS_DIR, read_pack
from tests.mail import Inbox, smtp_server
from tests.support import PASSWORD, OrgWorld, Person, build_worlds, run_db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_BROWSER = os.environ.get("INTERLUDE_REQUIRE_BROWSER") == "1"
SCREENSHOTS = ROOT / "var" / "test-artifacts" / "screenshots"
PACK_FILES = (
    "values.md",
    "culture.md",
    "strategy.md",
    "team-bureau-etudes.md",
    "program/feedback.md",
)
# Until app/asgi.py mounts the pages, app/web/testing_app.py adds them.
APP_FACTORY = (
    "app.web.testing_app:create_app"
    if importlib.util.find_spec("app.web.testing_app")
    else "app.asgi:create_app"
)
# Ready, not only up: the safety guard trains its reader at start (no cache in a fresh data
# folder), and a test whose first message waits for it can time out. Seen in CI: 427 s of wall
# time for that training on a loaded 2-core machine.
SERVER_START_TIMEOUT_S = 900.0
_notices: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for notice in _notices:
        terminalreporter.write_line(f"NOTICE: {notice}", yellow=True, bold=True)


@pytest.fixture(scope="session")
def chromium() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = f"{', '.join(missing)} missing (apt-get install chromium chromium-driver): "
    if REQUIRE_BROWSER:
        pytest.fail(message + "INTERLUDE_REQUIRE_BROWSER=1 makes this a failure.")
    _notices.append(message + "browser tests were SKIPPED.")
    pytest.skip(message + "skipped (set INTERLUDE_REQUIRE_BROWSER=1 to fail instead)")


@dataclass
class Server:
    url: str
    settings: Settings
    worlds: list[OrgWorld]
    log: Path
    inbox: Inbox  # what the server e-mailed (a real SMTP server on loopback)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _index(settings: Settings, world: OrgWorld) -> None:
    knowledge = KnowledgeBase(settings.knowledge_dir, UniversalSentenceEncoder())
    pack = read_pack(PACKS_DIR / "horizon-fr")
    org = knowledge.organization(str(world.id))
    for name in PACK_FILES:
        org.index_document(load_document(name, pack.files[name]), document_id=name, version=1)


def _server_env(data_dir: Path, database_url: str, url: str, smtp_port: int) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("INTERLUDE_", "OPENAI_"))}
    inherited.pop("DATABASE_URL", None)
    inherited.pop("REDIS_URL", None)
    # The server runs from the data folder: without this it would import the package the
    # virtualenv was installed from, which in a second worktree is another checkout's code.
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), inherited.get("PYTHONPATH", "")]))
    return {
        **inherited,
        "PYTHONPATH": pythonpath,
        "INTERLUDE_ENVIRONMENT": "test",
        "INTERLUDE_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "INTERLUDE_ARGON2_TIME_COST": "1",
        "INTERLUDE_ARGON2_MEMORY_KIB": "1024",
        "INTERLUDE_LOGIN_ATTEMPTS_PER_MINUTE": "10000",  # the browser tests log in often
        "INTERLUDE_LOG_FORMAT": "console",
        "INTERLUDE_LOG_LEVEL": "WARNING",
        "INTERLUDE_CHAT_PROVIDER": "composer",
        "INTERLUDE_JOB_POLL_SECONDS": "0.2",
        "INTERLUDE_INGESTION_POLL_SECONDS": "0.2",
        "INTERLUDE_PLAN_RETRY_SECONDS": "0",
        "INTERLUDE_SMTP_HOST": "127.0.0.1",
        "INTERLUDE_SMTP_PORT": str(smtp_port),
        "INTERLUDE_SMTP_SECURITY": "none",
        "INTERLUDE_OUTBOX_POLL_SECONDS": "0.2",
        "INTERLUDE_PUBLIC_URL": url,
    }


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until /health/ready answers 200 (database, knowledge store, and the guard warmed up)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.get(f"{url}/health/ready", timeout=2)
            if response.status_code == 200:
                return
            last = response.text[:500]
        time.sleep(0.5)
    pytest.fail(
        f"the server was not ready in {SERVER_START_TIMEOUT_S} s ({last}):\n{log.read_text()}"
    )


@pytest.fixture(scope="session")
def server(chromium: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite+aiosqlite:///{data_dir / 'interlude.db'}"
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    migrate.upgrade(database_url)
    worlds = build_worlds(settings, "alpha", "beta")
    _index(settings, worlds[0])
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir / "server.log"
    with smtp_server() as (inbox, smtp_port), log.open("wb") as out:
        # The working directory is the data folder: a developer's .env is not read.
        command = [sys.executable, "-m", "uvicorn", "--factory", APP_FACTORY, "--host"]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*command, "127.0.0.1", "--port", str(port), "--no-access-log"],
            cwd=data_dir,
            env=_server_env(data_dir, database_url, url, smtp_port),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(url, process, log)
            yield Server(url, settings, worlds, log, inbox)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def add_person(server: Server, prefix: str, role: Role, locale: Language = Language.FR) -> Person:
    """Someone of the first organisation made for one test (erased, or their password changed,
    without touching the other tests' people), as the operator's `interlude user create` does:
    with the test password (admins no longer set one)."""
    world = server.worlds[0]
    email = f"{prefix}-{uuid4().hex[:8]}@{world.slug}.example"

    async def create(db: AsyncSession) -> UUID:
        user = await add_user(
            db,
            Passwords.from_settings(server.settings),
            organization_id=world.id,
            email=email,
            display_name=prefix.title(),
            role=role,
            locale=locale,
            password=PASSWORD,
        )
        return user.id

    return Person(run_db(server.settings, create), email, role, world.slug, "")


class Browser:
    """One person's browser: its own Chromium, so cookies never mix between people."""

    def __init__(self, driver: Any, base_url: str, label: str) -> None:
        self.driver = driver
        self.base_url = base_url
        self.label = label

    def go(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    @property
    def path(self) -> str:
        current: str = self.driver.current_url
        return current.removeprefix(self.base_url)

    def shot(self, name: str) -> Path:
        """The whole page (up to a limit), not only what the window shows."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.label}-{name}.png"
        size = self.driver.get_window_size()
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(size["width"], min(max(int(height), size["height"]), 4000))
        try:
            self.driver.save_screenshot(str(path))
        finally:
            self.driver.set_window_size(size["width"], size["height"])
        return path

    def console_errors(self, *allowed: str) -> list[str]:
        """Script errors and refused resources (CSP included), except those expected."""
        entries = self.driver.get_log("browser")
        return [
            e["message"]
            for e in entries
            if e["level"] == "SEVERE" and not any(a in e["message"] for a in allowed)
        ]


@pytest.fixture
def open_browser(server: Server, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    drivers: list[Any] = []

    def start(who: str, *, phone: bool = False) -> Browser:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
            options.add_argument(argument)
        options.add_argument("--window-size=1280,900")
        if phone:  # a phone's viewport and touch, not only a narrow window
            options.add_experimental_option("mobileEmulation", {"deviceName": "iPhone 12 Pro"})
        options.add_argument("--lang=en-GB")  # the login page follows the browser's language
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        driver.implicitly_wait(0)
        drivers.append(driver)
        return Browser(driver, server.url, f"{request.node.name}-{who}")

    yield start
    for driver in drivers:
        driver.quit()
