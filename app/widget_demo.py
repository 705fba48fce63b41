"""`interlude widget-demo`: a stand-in for an integrator's site, on another origin
(127.0.0.1:8001 by default), embedding the companion with the one-tag widget.

It plays both halves of an integrator: the page (which loads static/widget.js from Interlude)
and the backend (`POST /token`, which trades the integration's secret for a learner token at
`POST /api/v1/integrations/token`; the secret never reaches the page). A real site checks who is
logged in before asking for their token; this demo always asks for the demo learner's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromQuery

DEMO_HOST_PORT = 8001
DEMO_FILE = "demo-widget.json"


@dataclass(frozen=True, slots=True)
class DemoWidget:
    interlude_url: str  # where the browser and this backend reach Interlude
    integration_id: str
    secret: str
    learner_email: str

    def save(self, data_dir: Path) -> Path:
        path = data_dir / DEMO_FILE
        path.write_text(json.dumps(asdict(self)))
        path.chmod(0o600)  # it holds the integration's secret
        return path

    @classmethod
    def load(cls, data_dir: Path) -> DemoWidget | None:
        path = data_dir / DEMO_FILE
        return cls(**json.loads(path.read_text())) if path.exists() else None


PAGE = """<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<main>
<h1>{title}</h1>
<p>{intro}</p>
<script src="{interlude}/static/widget.js" data-integration="{integration}"
        data-token-url="/token" data-lang="{lang}" defer></script>
</main>
</body>
</html>
"""
WORDS = {
    "fr": (
        "Intranet Horizon (site de démonstration)",
        "Cette page vient d'une autre origine qu'Interlude. Le compagnon s'y ouvre si "
        "l'intégration de démonstration autorise cette origine (port 8001) ; sur un autre port, "
        "le navigateur refuse de l'afficher.",
    ),
    "en": (
        "Horizon intranet (demo site)",
        "This page comes from another origin than Interlude. The companion opens here when the "
        "demo integration allows this origin (port 8001); on another port the browser refuses "
        "to show it.",
    ),
}


def _widget(state: State) -> DemoWidget:
    widget: DemoWidget = state.widget
    return widget


@get("/", sync_to_thread=False)
def home(state: State, lang: FromQuery[str | None] = None) -> Response[str]:
    widget = _widget(state)
    chosen = lang if lang in WORDS else "fr"
    title, intro = WORDS[chosen]
    page = PAGE.format(
        lang=chosen,
        title=escape(title),
        intro=escape(intro),
        interlude=escape(widget.interlude_url),
        integration=escape(widget.integration_id),
    )
    return Response(page, media_type="text/html; charset=utf-8")


@post("/token", status_code=200)
async def token(request: Request[Any, Any, State]) -> Response[Any]:
    widget = _widget(request.app.state)
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(
            f"{widget.interlude_url}/api/v1/integrations/token",
            json={"email": widget.learner_email},
            headers={"Authorization": f"Bearer {widget.secret}"},
        )
    if answer.status_code != 200:
        return Response({"error": answer.json().get("error")}, status_code=502)
    return Response({"token": answer.json()["token"]})


def create_demo_host(widget: DemoWidget | None = None) -> Litestar:
    """`widget` may be set later on `app.state.widget` (a test learns its port first)."""
    return Litestar(route_handlers=[home, token], state=State({"widget": widget}), debug=False)
