"""The embeddable widget: `/embed/{integration_id}` is the companion in a frame, for the pages
whose origins the integration allows, and no other.

The page is the one place that does not send `frame-ancestors 'none'`: its CSP names the
integration's own origins, so a browser refuses to show it inside any other site (and an unknown
or revoked integration gets a 404 page framed by nobody). It holds no credential: the host page
(static/widget.js) hands it a learner token by `postMessage`, accepted only from those origins;
the token was asked for by the host's backend (POST /api/v1/integrations/token). Its calls go to
this same origin, so the frame needs no CORS.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.integrations.services import chat_widget
from app.web.i18n import LOCALES, locale_from_header, text
from app.web.messages_widget import WIDGET_JS_KEYS

FRAME_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)


def frame_headers(origins: list[str]) -> dict[str, str]:
    ancestors = " ".join(origins) if origins else "'none'"
    return {
        "Content-Security-Policy": FRAME_CSP.format(ancestors=ancestors),
        "X-Content-Type-Options": "nosniff",
        # The host learns nothing of this page's URL; the page keeps no history.
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


class WidgetPages(Controller):
    path = "/embed"
    include_in_schema = False

    @get("/{integration_id:uuid}")
    async def frame(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        integration_id: FromPath[UUID],
        lang: Annotated[str | None, QueryParameter(name="lang", max_length=10)] = None,
    ) -> Response[Any]:
        locale = (
            lang if lang in LOCALES else locale_from_header(request.headers.get("accept-language"))
        )
        integration = await chat_widget(db_session, integration_id)
        if integration is None:
            return Response(
                text("widget.unknown", locale),
                status_code=404,
                media_type="text/plain; charset=utf-8",
                headers=frame_headers([]),
            )
        strings = {key: text(key, locale) for key in WIDGET_JS_KEYS}
        return Template(
            template_name="widget/frame.html",
            context={
                "locale": locale,
                "origins": json.dumps(integration.allowed_origins),
                "strings": strings,
            },
            headers=frame_headers(list(integration.allowed_origins)),
        )
