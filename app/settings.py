"""Settings read from the environment (and a `.env` file), validated once, then injected.

Nothing reads the environment elsewhere: `create_app(settings)` and the CLI receive a
`Settings` object, and tests build their own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.llm import ChatConfig

DEFAULT_DATA_DIR = Path("var")


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, sqlite:///...) and pick the async drivers."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERLUDE_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "INTERLUDE_DATABASE_URL"),
        description="SQLAlchemy URL; empty means a SQLite file in data_dir.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    # Prometheus metrics at /metrics, for a scraper sending this token as a bearer: off (no
    # route) when unset, since the figures tell how busy the service is. 24 characters at least.
    metrics_token: SecretStr | None = Field(default=None, min_length=24)
    # OpenTelemetry traces (app/lib/tracing.py), under the names every OpenTelemetry SDK reads:
    # off unless an OTLP endpoint is named or OTEL_TRACES_EXPORTER=otlp; "none" turns them off.
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    otel_exporter_otlp_traces_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    otel_traces_exporter: Literal["otlp", "none"] | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_TRACES_EXPORTER")
    )
    # A collector's credentials may be in there: "key=value,key2=value2", URL-encoded.
    otel_exporter_otlp_headers: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_HEADERS")
    )
    otel_service_name: str = Field(
        default="interlude", min_length=1, validation_alias=AliasChoices("OTEL_SERVICE_NAME")
    )

    # Limits on what a client may send.
    max_request_bytes: int = Field(default=1_000_000, ge=1_024)
    max_message_chars: int = Field(default=8_000, ge=1)

    # Login throttling (app/lib/throttle.py): per client address, and failed logins per account.
    login_attempts_per_minute: int = Field(default=20, ge=1)
    login_failures_per_account: int = Field(default=10, ge=1)
    login_failure_window_s: int = Field(default=900, ge=1)
    # Shared store for the throttling counts (several server processes); memory when unset.
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "INTERLUDE_REDIS_URL")
    )

    # Web sessions: an opaque token in a cookie, its hash in the database.
    session_cookie_name: str = "interlude_session"
    session_ttl_hours: int = Field(default=12, ge=1)
    cookie_secure: bool | None = Field(
        default=None, description="Secure flag on cookies; defaults to True in production."
    )

    # Argon2id cost. The defaults follow RFC 9106's second recommended option; tests lower them.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65_536, ge=8)

    # Where passages, their lexical index and vectors live: the embedded Chroma store (one
    # writer process per data folder), or the app's PostgreSQL database with pgvector
    # (several processes and machines; README, "Knowledge on PostgreSQL").
    knowledge_store: Literal["chroma", "postgres"] = "chroma"
    # Knowledge: embeddings come from the packaged USE model unless an endpoint is configured.
    embedding_provider: Literal["use", "openai"] = "use"
    embedding_model: str = Field(default="text-embedding-3-small", description="openai provider")
    embedding_dimension: int = Field(default=1536, ge=8, description="openai provider")
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "INTERLUDE_OPENAI_BASE_URL")
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "INTERLUDE_OPENAI_API_KEY")
    )
    model_timeout_s: float = Field(default=30.0, gt=0)

    # Drafting and chat: the composer (no model, deterministic) unless an endpoint is set up.
    chat_provider: Literal["composer", "openai"] = "composer"
    chat_model: str = Field(default="", description="openai provider, e.g. gpt-4o-mini")
    chat_max_tokens: int = Field(default=800, ge=16, le=32_000)
    chat_json_mode: Literal["json_schema", "json_object", "none"] = "json_schema"
    chat_token_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"  # noqa: S105
    # The chat model is also the safety guard's last layer, after rules and similarity. A weak
    # model flags nearly everything (SmolLM2: 33 of 36 benign look-alikes), so it can be left out.
    safety_uses_model: bool = True
    # Plan jobs: how often a failed one is tried before the composer's plan is saved instead.
    plan_max_attempts: int = Field(default=3, ge=1, le=10)
    plan_retry_seconds: float = Field(default=30.0, ge=0)
    job_poll_seconds: float = Field(default=2.0, gt=0)
    # A running job (plan run, document indexing) is leased this long and renewed every
    # `job_lease_renew_seconds` by its process; another process takes it over only once the
    # lease has passed (app/lib/leases.py). Renew well under the lease: a third of it.
    job_lease_seconds: float = Field(default=60.0, gt=0)
    job_lease_renew_seconds: float = Field(default=20.0, gt=0)
    # Whether this process runs the background jobs (plans, indexing, e-mails, webhooks). Web
    # processes may leave them to `interlude worker` processes (PostgreSQL only: app/worker.py).
    run_jobs: bool = True
    # `interlude worker` serves no API; with a port it serves its own /metrics (its agent runs,
    # ingestion, escalations: counted in its process only) and /health/live there. Loopback
    # by default: the scraper is usually on the same host or reached through a sidecar.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    worker_metrics_host: str = "127.0.0.1"
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1_024)
    ingestion_poll_seconds: float = Field(default=2.0, gt=0)

    # E-mail (off unless a host is set): urgent safety alerts reach the coach at once.
    smtp_host: str = Field(default="", description="SMTP server; empty: no e-mail is sent")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_timeout_s: float = Field(default=20.0, gt=0)
    mail_from: str = "Interlude <no-reply@interlude.invalid>"
    # Where people open the app, for links in e-mails.
    public_url: str = "http://127.0.0.1:8000"
    outbox_poll_seconds: float = Field(default=5.0, gt=0)
    # How often due items are looked for, to e-mail their learner (with SMTP only).
    announce_poll_seconds: float = Field(default=60.0, gt=0)
    # An item still unanswered this many days after it arrived is recalled once by e-mail
    # (0: never).
    reminder_after_days: float = Field(default=3.0, ge=0)
    # A plan's rhythm (app/domain/suggestions/rhythm.py): when the next session is known, the
    # plan's items are spread over these weekdays (Monday = 0) until then, at this local hour.
    delivery_hour: int = Field(default=9, ge=0, le=23)
    delivery_time_zone: str = "Europe/Paris"
    delivery_weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    # Company events on the path (app/domain/plans/events.py): a preparation question is
    # drafted from this many days before an event, a lessons-learned one until this many days
    # after it; events are looked for at this interval.
    event_prepare_days: int = Field(default=7, ge=1, le=60)
    event_debrief_days: int = Field(default=7, ge=1, le=60)
    event_poll_seconds: float = Field(default=3600.0, gt=0)
    # Password links (app/domain/auth/links.py): an invitation waits days, a reset an hour.
    invitation_ttl_hours: float = Field(default=168.0, gt=0)
    password_reset_ttl_minutes: float = Field(default=60.0, gt=0)

    # Webhooks (app/domain/webhooks): deliveries are looked for at this interval (and at once
    # after a request that queued one), answered within the timeout, retried after the first
    # delay doubling up to the longest, at most this many times (the defaults span a day); an
    # endpoint failing longer than the window is disabled and the admins are e-mailed.
    webhook_poll_seconds: float = Field(default=2.0, gt=0)
    webhook_timeout_s: float = Field(default=5.0, gt=0, le=30)
    webhook_max_attempts: int = Field(default=32, ge=1, le=100)
    webhook_first_retry_seconds: float = Field(default=10.0, gt=0)
    webhook_longest_retry_seconds: float = Field(default=3600.0, gt=0)
    webhook_disable_after_hours: float = Field(default=24.0, gt=0)
    # Deliveries to loopback, private or link-local addresses are refused (an admin's URL must
    # not reach the app's own network); tests on loopback turn this on.
    webhook_allow_private: bool = False

    # Integrations (app/domain/integrations): how long a learner token lasts. Minutes: a token
    # leaked from a browser is worth little, and the integrator's backend asks for another.
    integration_token_ttl_s: int = Field(default=600, ge=30, le=3600)

    # Password of the demo accounts: shown by `interlude demo`, refused in production.
    demo_password: SecretStr = SecretStr("interlude-demo")

    @field_validator("delivery_time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as Europe/Paris"
            ) from None
        return value

    @field_validator("delivery_weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(day not in range(7) for day in value):
            raise ValueError(
                "give at least one weekday, 0 (Monday) to 6 (Sunday), e.g. [0,1,2,3,4]"
            )
        return sorted(set(value))

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return normalise_database_url(value.strip())

    @model_validator(mode="after")
    def _refuse_demo_secrets_in_production(self) -> Settings:
        if self.environment == "production" and self.cookie_secure is False:
            raise ValueError(
                "INTERLUDE_COOKIE_SECURE=false is refused in production: cookies must be Secure."
            )
        return self

    @model_validator(mode="after")
    def _postgres_knowledge_needs_postgres(self) -> Settings:
        if self.knowledge_store == "postgres" and not self.resolved_database_url.startswith(
            "postgresql"
        ):
            raise ValueError(
                "INTERLUDE_KNOWLEDGE_STORE=postgres keeps the knowledge in the app's PostgreSQL "
                "database: set DATABASE_URL to a PostgreSQL database with the pgvector extension, "
                "or unset INTERLUDE_KNOWLEDGE_STORE to keep the embedded store."
            )
        return self

    @model_validator(mode="after")
    def _renew_leases_in_time(self) -> Settings:
        if self.job_lease_renew_seconds * 2 > self.job_lease_seconds:
            raise ValueError(
                "INTERLUDE_JOB_LEASE_RENEW_SECONDS must be at most half of "
                "INTERLUDE_JOB_LEASE_SECONDS, or a busy process loses its jobs to another."
            )
        return self

    @model_validator(mode="after")
    def _jobs_left_to_workers_need_shared_state(self) -> Settings:
        if not self.run_jobs and (
            problem := self.multi_process_problem("INTERLUDE_RUN_JOBS=false")
        ):
            raise ValueError(
                problem + " (INTERLUDE_RUN_JOBS=false leaves the jobs to `interlude worker`.)"
            )
        return self

    def multi_process_problem(self, what: str) -> str | None:
        """Why `what` (several processes sharing this deployment's state) cannot run on this
        configuration, with what to change; None when it can."""
        if self.is_sqlite:
            return (
                f"{what} needs PostgreSQL: SQLite's writer queue belongs to one process, so "
                "processes sharing one SQLite file wait on each other's locks and fail. Set "
                "DATABASE_URL to a PostgreSQL database (README: Run at scale)."
            )
        if self.knowledge_store != "postgres":
            return (
                f"{what} needs INTERLUDE_KNOWLEDGE_STORE=postgres: the embedded Chroma store "
                "does not see another process's writes, so a document indexed by one process "
                "would never reach another's dense and hybrid searches. Run `interlude knowledge "
                "setup`, move each organisation with `interlude knowledge migrate --org SLUG --to "
                "postgres`, then set INTERLUDE_KNOWLEDGE_STORE=postgres."
            )
        return None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'interlude.db').resolve()}"

    def chat_config(self) -> ChatConfig:
        return ChatConfig(
            model=self.chat_model,
            base_url=self.openai_base_url,
            api_key=self.openai_api_key.get_secret_value() if self.openai_api_key else None,
            timeout_s=self.model_timeout_s,
            max_tokens=self.chat_max_tokens,
            json_mode=self.chat_json_mode,
            token_param=self.chat_token_param,
        )

    @property
    def knowledge_dir(self) -> Path:
        return self.data_dir / "knowledge"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def safety_cache_dir(self) -> Path:
        """The safety guard's trained classifier, so a restart loads it (agents/safety/cache.py)."""
        return self.data_dir / "cache"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment == "production"

    @property
    def sends_mail(self) -> bool:
        return bool(self.smtp_host)

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use (never at import)."""
    return Settings()


def settings_or_exit() -> Settings:
    """The settings, for a CLI command: invalid configuration ends it with the reasons."""
    import click

    try:
        return get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise click.ClickException(f"Invalid configuration:\n{exc}") from None
