"""The `interlude` command: serve, demo, db, org and user administration."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

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
    from app.runtime import build_knowledge

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
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes on one port (PostgreSQL and the PostgreSQL knowledge store only).",
)
def serve(host: str | None, port: int | None, reload: bool, workers: int) -> None:
    import uvicorn

    settings = _settings()
    if workers > 1:
        if problem := settings.multi_process_problem(f"--workers {workers}"):
            raise click.ClickException(problem)
        if reload:
            raise click.ClickException("--reload restarts one process: drop it or --workers.")
    host = host or settings.host
    port = port or settings.port
    processes = f", {workers} processes" if workers > 1 else ""
    click.echo(f"Interlude on http://{host}:{port}  (API /api/v1, OpenAPI /schema{processes})")
    # Each process builds its own app from the environment (the factory); uvicorn's parent
    # restarts one that dies and, on SIGTERM, stops them all, each giving its jobs back.
    uvicorn.run(
        "app.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers,
        log_level="warning",  # our own access log reports requests
        proxy_headers=False,
    )


@main.command(help="Run the background jobs (plans, indexing, e-mails, webhooks), no API.")
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Serve this worker's /metrics and /health/live on this port (default: "
    "INTERLUDE_WORKER_METRICS_PORT; unset: no HTTP at all).",
)
@click.option(
    "--metrics-host",
    default=None,
    help="Interface for --metrics-port (default: INTERLUDE_WORKER_METRICS_HOST, 127.0.0.1).",
)
def worker(metrics_port: int | None, metrics_host: str | None) -> None:
    import asyncio

    from app.lib.logging import configure_logging
    from app.worker import run_worker

    settings = _settings()
    if problem := settings.multi_process_problem("`interlude worker`"):
        raise click.ClickException(problem)
    chosen = {"worker_metrics_port": metrics_port, "worker_metrics_host": metrics_host}
    settings = settings.model_copy(update={k: v for k, v in chosen.items() if v is not None})
    configure_logging(settings)
    click.echo("Interlude worker: running the jobs until SIGTERM or Ctrl-C.")
    if (port := settings.worker_metrics_port) is not None:
        url = f"http://{settings.worker_metrics_host}:{port}"
        if settings.metrics_token is None:
            click.echo(f"  {url}/health/live; /metrics is off until INTERLUDE_METRICS_TOKEN is set")
        else:
            click.echo(f"  {url}/metrics (bearer: INTERLUDE_METRICS_TOKEN), {url}/health/live")
    try:
        asyncio.run(run_worker(settings))
    except AppError as exc:
        raise click.ClickException(exc.message) from None


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
    from app.knowledge_store_cli import migrate, setup

    knowledge.add_command(setup)
    knowledge.add_command(migrate)
    main.add_command(knowledge)


_register_subcommands()

if __name__ == "__main__":
    sys.exit(main())
