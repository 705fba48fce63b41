"""The `interlude` command: serve, demo, db, org and user administration."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import migrate
from app.db.engine import run_in_transaction
from app.db.models.enums import Language, Role
from app.lib.errors import AppError
from app.lib.security import Passwords
from app.settings import Settings
from app.settings import settings_or_exit as _settings

T = TypeVar("T")


def _passwords(settings: Settings) -> Passwords:
    return Passwords.from_settings(settings)


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    try:
        return run_in_transaction(settings.resolved_database_url, work)
    except AppError as exc:
        raise click.ClickException(exc.message) from None


@click.group(help="Interlude: the between-session coaching companion.")
def main() -> None:
    pass


@main.group(help="Database schema (Alembic migrations).")
def db() -> None:
    pass


@db.command("upgrade", help="Bring the schema to the latest version (or to REVISION).")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    settings = _settings()
    migrate.upgrade(settings.resolved_database_url, revision)
    click.echo(f"Database at {revision}: {_safe_url(settings)}")


@db.command("downgrade", help="Step the schema back to REVISION (e.g. -1).")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    settings = _settings()
    migrate.downgrade(settings.resolved_database_url, revision)
    click.echo(f"Database at {revision}.")


def _safe_url(settings: Settings) -> str:
    """The database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(settings.resolved_database_url).render_as_string(hide_password=True)


@main.command(help="Create the demo organisation (once) and print its logins.")
def demo() -> None:
    from app.demo import DEMO_SLUG, ensure_demo_widget, seed_demo
    from app.domain.knowledge.deps import build_knowledge

    settings = _settings()
    if settings.environment == "production":
        raise click.ClickException("The demo organisation is refused in production.")
    password = settings.demo_password.get_secret_value()
    knowledge = build_knowledge(settings)
    if not knowledge.try_own():
        raise click.ClickException(
            "A server is running on this data directory: stop it, run `interlude demo`, restart it."
        )
    try:
        created, logins = _in_transaction(
            settings,
            lambda db: seed_demo(db, _passwords(settings), knowledge, settings, say=click.echo),
        )
    finally:
        knowledge.release()
    widget = _in_transaction(settings, lambda db: ensure_demo_widget(db, settings))
    click.echo("Demo organisation " + ("created" if created else "already there") + ".")
    click.echo(f"  organisation: {DEMO_SLUG}")
    click.echo(f"  password for everyone: {password}")
    for login in logins:
        click.echo(f"  {login.role.value:<8} {login.email:<26} {login.name}")
    if widget is not None:
        click.echo(
            "  widget: `interlude widget-demo` serves a demo site on http://127.0.0.1:8001 "
            f"embedding the companion as {widget.learner_email}"
        )


@main.command("widget-demo", help="Serve a demo site on another origin embedding the widget.")
@click.option("--port", type=int, default=8001, show_default=True, help="The demo site's port.")
def widget_demo(port: int) -> None:
    import uvicorn

    from app.widget_demo import DemoWidget, create_demo_host

    settings = _settings()
    widget = DemoWidget.load(settings.data_dir)
    if widget is None:
        raise click.ClickException("No demo integration yet: run `interlude demo` first.")
    click.echo(
        f"Demo site on http://127.0.0.1:{port} embedding {widget.interlude_url}'s widget "
        "(the demo integration allows port 8001 only: any other port shows the refusal)"
    )
    uvicorn.run(create_demo_host(widget), host="127.0.0.1", port=port, log_level="warning")


@main.command(help="Serve the app (HTTP API, OpenAPI at /schema).")
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str | None, port: int | None, reload: bool) -> None:
    import uvicorn

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    click.echo(f"Interlude on http://{host}:{port}  (API /api/v1, OpenAPI /schema)")
    uvicorn.run(
        "app.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_level="warning",  # our own access log reports requests
        proxy_headers=False,
    )


@main.group(help="Benchmarks (results in evals/reports/bench/, compared with the last run).")
def bench() -> None:
    pass


@bench.command("queue", help="Review queue: list and approve with N suggestions stored.")
@click.option("--suggestions", type=int, default=100_000, show_default=True)
@click.option("--repeat", type=int, default=200, show_default=True, help="Timed calls each.")
@click.option("--db", "backend", type=click.Choice(["sqlite", "postgresql", "all"]), default="all")
@click.option(
    "--postgres-url",
    default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    show_default=True,
    help="A server where a scratch database may be created (and dropped).",
)
def bench_queue(suggestions: int, repeat: int, backend: str, postgres_url: str) -> None:
    from evals.bench.queue import run_queue_bench

    backends = ["sqlite", "postgresql"] if backend == "all" else [backend]
    for table in run_queue_bench(backends, suggestions, repeat, postgres_url):
        click.echo(table)


@bench.command("retrieval", help="Retrieval quality, latency at growing sizes, ingestion speed.")
@click.option("--sizes", default="1000,10000,100000", show_default=True, help="Corpus sizes.")
@click.option("--repeat", type=int, default=200, show_default=True, help="Timed queries per size.")
def bench_retrieval(sizes: str, repeat: int) -> None:
    from evals.bench.retrieval import run_retrieval_bench

    try:
        chosen = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(
            "comma-separated numbers, e.g. 1000,10000", param_hint="--sizes"
        ) from None
    click.echo(run_retrieval_bench(chosen, repeat))


@bench.command("safety", help="The safety guard's CPU per message, alone and with history.")
@click.option("--passes", type=int, default=3, show_default=True, help="Passes over the set.")
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (and compare) the report; default evals/reports/bench.",
)
def bench_safety(passes: int, reports: Path | None) -> None:
    from evals.bench.results import REPORTS
    from evals.bench.safety import run_safety_bench

    click.echo(run_safety_bench(passes, reports or REPORTS))


@bench.command("metrics", help="What the request metrics cost per request, and a scrape.")
@click.option("--requests", type=int, default=5_000, show_default=True, help="Per round.")
@click.option("--rounds", type=int, default=9, show_default=True)
def bench_metrics(requests: int, rounds: int) -> None:
    from evals.bench.metrics_cost import run_metrics_cost_bench

    click.echo(run_metrics_cost_bench(requests, rounds))


_BENCH_DATABASE = click.option(
    "--database",
    type=click.Choice(["sqlite", "postgresql", "both"]),
    default="sqlite",
    show_default=True,
    help="`both`: PostgreSQL too when its server answers (skipped with a notice otherwise).",
)
_BENCH_POSTGRES = click.option(
    "--postgres-url",
    default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    show_default=True,
    help="A server where a scratch database may be created (and dropped).",
)
_BENCH_REPORTS = click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (and compare) reports; default evals/reports/bench.",
)


@bench.command("overhead", help="Time around a fixed-delay fake model: direct vs through HTTP.")
@_BENCH_DATABASE
@click.option("--turns", type=int, default=200, show_default=True, help="Timed turns.")
@click.option("--warmup", type=int, default=10, show_default=True, help="Untimed turns first.")
@click.option("--delay-ms", type=int, default=200, show_default=True, help="The model's delay.")
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_overhead(
    database: str, turns: int, warmup: int, delay_ms: int, postgres_url: str, reports: Path | None
) -> None:
    from evals.bench.overhead import run_overhead_bench
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_overhead_bench(
        backends, turns, warmup, delay_ms / 1000, postgres_url, reports or REPORTS
    ):
        click.echo(table)


@bench.command(
    "openai", help="The OpenAI-compatible endpoint against the native chat, turn by turn."
)
@_BENCH_DATABASE
@click.option("--turns", type=int, default=200, show_default=True, help="Timed turns per mode.")
@click.option("--warmup", type=int, default=10, show_default=True, help="Untimed turns first.")
@click.option("--delay-ms", type=int, default=50, show_default=True, help="The model's delay.")
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_openai(
    database: str, turns: int, warmup: int, delay_ms: int, postgres_url: str, reports: Path | None
) -> None:
    from evals.bench.openai_overhead import run_openai_overhead_bench
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_openai_overhead_bench(
        backends, turns, warmup, delay_ms / 1000, postgres_url, reports or REPORTS
    ):
        click.echo(table)


@bench.command("throughput", help="Concurrent learners chatting (composer) with one server.")
@_BENCH_DATABASE
@click.option("--learners", type=int, default=50, show_default=True, help="Concurrent learners.")
@click.option("--seconds", type=float, default=60, show_default=True, help="Load duration.")
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_throughput(
    database: str, learners: int, seconds: float, postgres_url: str, reports: Path | None
) -> None:
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends, run_throughput_bench

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_throughput_bench(
        backends, learners, seconds, postgres_url, reports or REPORTS
    ):
        click.echo(table)


@bench.command("announce", help="E-mails between sessions: announce 5 due items per learner.")
@_BENCH_DATABASE
@click.option("--learners", type=int, default=10_000, show_default=True)
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_announce(database: str, learners: int, postgres_url: str, reports: Path | None) -> None:
    from evals.bench.announce import run_announce_bench
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_announce_bench(backends, learners, postgres_url, reports or REPORTS):
        click.echo(table)


@bench.command("webhooks", help="Webhook delivery latency on a healthy loopback receiver.")
@_BENCH_DATABASE
@click.option("--events", type=int, default=200, show_default=True)
@_BENCH_POSTGRES
@_BENCH_REPORTS
def bench_webhooks(database: str, events: int, postgres_url: str, reports: Path | None) -> None:
    from evals.bench.results import REPORTS
    from evals.bench.throughput import chosen_backends
    from evals.bench.webhooks import run_webhooks_bench

    backends = chosen_backends(database, postgres_url, click.echo)
    for table in run_webhooks_bench(backends, events, postgres_url, reports or REPORTS):
        click.echo(table)


@main.command("eval", help="Run the eval suites; reports in evals/reports/, with deltas.")
@click.option(
    "--suite",
    "suites",
    multiple=True,
    type=click.Choice(
        ["plan", "chat", "safety", "relevance", "relevance-dev", "injection", "tenancy", "gate"]
    ),
    help="Run only these (repeatable); default: all.",
)
@click.option(
    "--limit",
    "limit_values",
    multiple=True,
    metavar="N|SUITE=N",
    help="At most N cases per suite, or in one suite (repeatable), spread over each dataset.",
)
@click.option(
    "--provider",
    type=click.Choice(["settings", "composer", "smollm2"]),
    default="settings",
    help="`settings`: the configured chat provider (composer unless set); `composer`: no "
    "model; `smollm2`: SmolLM2-135M on a llama.cpp server started for the run (`make llm`).",
)
@click.option(
    "--timeout",
    type=float,
    default=None,
    help="Seconds per model request (default: INTERLUDE_MODEL_TIMEOUT_S).",
)
@click.option(
    "--guard-model/--no-guard-model",
    default=True,
    help="Whether the chat turns' safety guard asks the model too, as the app does (default). "
    "The safety suite measures the guard with the model either way.",
)
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (and compare) reports; default evals/reports.",
)
@click.option(
    "--extra",
    "extras",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With the safety suite: also score the guard on this labelled file (a new writer's, "
    "before it joins the corpus), reported as safety.fresh.<file name> (repeatable).",
)
def eval_command(
    suites: tuple[str, ...],
    limit_values: tuple[str, ...],
    provider: str,
    timeout: float | None,
    guard_model: bool,
    reports: Path | None,
    extras: tuple[Path, ...],
) -> None:
    from dataclasses import replace

    from agents.llm import ChatModel, build_chat_model
    from evals.llama_server import LlmUnavailable, smollm2_chat_model
    from evals.run import REPORTS, SUITES, parse_limits, run_eval

    try:
        limit, limits = parse_limits(limit_values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--limit") from None
    settings = _settings()
    config = settings.chat_config()
    if timeout is not None:
        config = replace(config, timeout_s=timeout)
    chosen = list(suites) or list(SUITES)

    def run(llm: ChatModel | None, setup: dict[str, Any]) -> tuple[dict[str, Any], str]:
        if llm is not None:
            setup["guard_in_chat"] = "rules, similarity" + (", model" if guard_model else "")
        return run_eval(
            llm,
            chosen,
            limit,
            click.echo,
            reports or REPORTS,
            setup,
            limits=limits,
            guard_uses_model=guard_model,
            safety_extras=extras,
        )

    if provider == "smollm2":
        try:
            with smollm2_chat_model(config) as (smollm2, setup):
                click.echo(f"SmolLM2 on {setup['server']}.")
                report, markdown = run(smollm2, setup)
        except LlmUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    else:
        model = build_chat_model(settings.chat_provider, config) if provider == "settings" else None
        report, markdown = run(model, {"timeout_s": config.timeout_s} if model else {})
    click.echo(markdown)
    if report["targets_missed"]:
        raise SystemExit(1)


@main.group(help="Organisations.")
def org() -> None:
    pass


@org.command("create", help="Create an organisation.")
@click.argument("slug")
@click.argument("name")
@click.option("--language", type=click.Choice([lang.value for lang in Language]), default="fr")
def org_create(slug: str, name: str, language: str) -> None:
    from app.domain.organizations.services import create_organization

    settings = _settings()
    created = _in_transaction(
        settings,
        lambda db: create_organization(
            db, slug=slug, name=name, default_language=Language(language)
        ),
    )
    click.echo(f"Organisation {created.slug} created ({created.id}).")


@main.group(help="People.")
def user() -> None:
    pass


@user.command("create", help="Add a person to an organisation.")
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--locale", type=click.Choice([lang.value for lang in Language]), default="fr")
@click.password_option(help="Password (asked for when omitted).")
def user_create(
    org_slug: str, email: str, name: str, role: str, locale: str, password: str
) -> None:
    from app.domain.organizations.services import get_by_slug
    from app.domain.people.services import add_user

    settings = _settings()

    async def work(db: AsyncSession) -> str:
        organization = await get_by_slug(db, org_slug)
        if organization is None:
            raise AppError(f"No organisation with slug '{org_slug}'.")
        created = await add_user(
            db,
            _passwords(settings),
            organization_id=organization.id,
            email=email,
            display_name=name,
            role=Role(role),
            locale=Language(locale),
            password=password,
        )
        return str(created.id)

    click.echo(f"User created ({_in_transaction(settings, work)}).")


def _password_link(org_slug: str, email: str, purpose: Literal["invitation", "reset"]) -> None:
    from sqlalchemy import select

    from app.db.models import User
    from app.domain.auth import links
    from app.domain.organizations.services import get_by_slug
    from app.domain.people.services import normalise_email

    settings = _settings()

    async def work(db: AsyncSession) -> links.IssuedLink:
        organization = await get_by_slug(db, org_slug)
        if organization is None:
            raise AppError(f"No organisation with slug '{org_slug}'.")
        person = await db.scalar(
            select(User).where(
                User.organization_id == organization.id, User.email == normalise_email(email)
            )
        )
        if person is None:
            raise AppError(f"Nobody in '{org_slug}' has the address {email}.")
        return await links.issue(db, settings, person, purpose, actor_id=None)

    issued = _in_transaction(settings, work)
    until = issued.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    if issued.mailed:
        click.echo(
            f"Link e-mailed to {email} by the server's outbox; it works once, until {until}."
        )
        return
    click.echo(f"No e-mail server is configured: give this link to {email} yourself, privately.")
    click.echo(f"It works once, until {until}:")
    click.echo(issued.url)


@user.command("invite", help="Make the link with which a new person sets their password.")
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--email", required=True)
def user_invite(org_slug: str, email: str) -> None:
    _password_link(org_slug, email, "invitation")


@user.command("reset-link", help="Make a link with which a person sets a new password.")
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--email", required=True)
def user_reset_link(org_slug: str, email: str) -> None:
    _password_link(org_slug, email, "reset")


def _register_subcommands() -> None:
    from app.knowledge_cli import knowledge

    main.add_command(knowledge)


_register_subcommands()

if __name__ == "__main__":
    sys.exit(main())
