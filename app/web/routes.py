"""What `create_app` mounts for the pages: controllers, the template engine, static files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from app.settings import Settings
from app.web import i18n
from app.web.account_pages import AccountPages, PasswordLinkPages, UnsubscribePages
from app.web.admin import AdminPages
from app.web.auth_pages import AuthPages
from app.web.circles_pages import CirclePages
from app.web.coach import CoachPages
from app.web.companion import CompanionPages
from app.web.companions_pages import CompanionLearnerPages
from app.web.filters import cite_numbers
from app.web.learner import LearnerPages
from app.web.widget import WidgetPages

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

WEB_CONTROLLERS: list[ControllerRouterHandler] = [
    AuthPages,
    PasswordLinkPages,
    UnsubscribePages,
    AccountPages,
    LearnerPages,
    CoachPages,
    AdminPages,
    WidgetPages,
    CompanionPages,
    CompanionLearnerPages,
    CirclePages,
]


def _asset_version() -> str:
    """Changes when any static file does, so browsers never keep an old script."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_config(settings: Settings) -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        # A misspelt variable fails the page (and the browser tests) instead of vanishing.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Production renders from memory; development picks up edited templates.
        auto_reload=settings.environment == "development",
    )
    environment.globals["asset_version"] = _asset_version()
    environment.globals["js_strings"] = i18n.js_strings
    environment.filters["cite_numbers"] = cite_numbers
    engine = JinjaTemplateEngine(engine_instance=environment)
    engine.register_template_callable("t", i18n.translate)
    engine.register_template_callable("fmt_date", i18n.template_date)
    engine.register_template_callable("fmt_datetime", i18n.template_datetime)
    return TemplateConfig(instance=engine)


def static_files_router() -> Router:
    return create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        name="web-static",
        include_in_schema=False,
        # URLs carry ?v=<asset_version>, so a day of caching never serves a stale file.
        cache_control=CacheControlHeader(max_age=86_400),
    )
