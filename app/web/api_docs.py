"""The API reference at /schema: Swagger UI served from the `swagger-ui-py` package, offline.

Litestar's own Swagger page loads Swagger UI from a CDN and starts it with an inline script, so
it stays blank without the internet and cannot run under a strict Content-Security-Policy.
This page takes every script and style from this server: the package's files under
/schema/swagger-ui/, and a small start script from /static.
"""

from __future__ import annotations

import importlib.util
from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

# What Swagger UI needs, from this server only: its icons are `data:` images in its CSS, and it
# reads the document with fetch. No inline script or style.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=DOCS_CSP),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]
ASSETS_PATH = "/swagger-ui"  # under the schema router's path


def swagger_ui_dir() -> Path:
    """The Swagger UI distribution inside the `swagger-ui-py` package (found, not imported:
    the package's own code is for other frameworks)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: run `make setup`.")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


class OfflineSwagger(SwaggerRenderPlugin):
    """Swagger UI with its files served by the app and its start script in /static."""

    def __init__(self, schema_path: str) -> None:
        assets = f"{schema_path}{ASSETS_PATH}"
        super().__init__(
            js_url=f"{assets}/swagger-ui-bundle.js",
            css_url=f"{assets}/swagger-ui.css",
            standalone_preset_js_url=f"{assets}/swagger-ui-standalone-preset.js",
        )
        self.document_url = f"{schema_path}/openapi.json"

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="{self.css_url}">
</head>
<body>
<div id="swagger-ui" data-url="{escape(self.document_url)}"></div>
<script src="{self.js_url}"></script>
<script src="{self.standalone_preset_js_url}"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
""".encode()

    def receive_router(self, router: Router) -> None:
        router.register(
            create_static_files_router(
                path=ASSETS_PATH,
                directories=[swagger_ui_dir()],
                name="swagger-ui",
                include_in_schema=False,
                # The files change only with the package's version.
                cache_control=CacheControlHeader(max_age=86_400),
            )
        )


def docs_router(schema_path: str) -> Router:
    """The router Litestar serves the document and its pages on, with their security headers."""
    return Router(
        schema_path, route_handlers=[], include_in_schema=False, response_headers=DOCS_HEADERS
    )
