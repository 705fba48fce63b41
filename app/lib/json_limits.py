"""JSON bodies are bounded before they are parsed.

Size: Litestar's `request_max_body_size` (settings.max_request_bytes) answers 413. Depth: a body
nested deeper than MAX_JSON_DEPTH answers 400 before the decoder sees it; the decoder would
raise RecursionError (a 500) at about 1,000 levels, and no field of this API nests beyond 5.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from litestar import Request

from app.lib.errors import InvalidInput

MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings aside); linear, no parse."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    return max(accumulate(_STEP[b] for b in brackets), default=0)


async def check_json_depth(request: Request[Any, Any, Any]) -> None:
    """`before_request` hook: refuse a JSON body nested deeper than MAX_JSON_DEPTH."""
    if request.method not in _BODY_METHODS or "json" not in request.content_type[0]:
        return
    body = await request.body()  # Litestar keeps it for the handler's own parsing
    if body and json_depth(body) > MAX_JSON_DEPTH:
        raise InvalidInput(
            f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels; no field of this API "
            "needs more. Send a flatter body.",
            code="json_too_deep",
        )
