"""The one exception the client raises for an answer that is not a success."""

from __future__ import annotations

from typing import Any

import httpx


class InterludeError(Exception):
    """The server said no: its `ErrorBody` (`{"error": {"code", "message", "field"}}`), with
    the HTTP status. `field` names the input to fix (a body field, a query parameter, or a
    header such as `Idempotency-Key`) when the error is about one."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, retry_after: str = ""
    ) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" (field: {field})" if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after  # seconds to wait, on 409 and 429 answers


def raise_for_error(response: httpx.Response) -> None:
    if response.is_success:
        return
    detail = _error_detail(response)
    raise InterludeError(
        response.status_code,
        str(detail.get("code") or f"http_{response.status_code}"),
        # Not Interlude's body (a proxy's page, a crash): its start is the best explanation.
        str(detail.get("message") or response.text[:200] or response.reason_phrase),
        detail.get("field"),
        response.headers.get("Retry-After", ""),
    )


def _error_detail(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    detail = body.get("error") if isinstance(body, dict) else None
    return detail if isinstance(detail, dict) else {}
