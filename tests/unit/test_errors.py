from __future__ import annotations

from typing import Any

from app.lib.errors import internal_error_handler


class _Request:
    scope: dict[str, Any] = {"path_template": "/api/v1/x"}


def test_server_errors_reveal_nothing() -> None:
    response = internal_error_handler(_Request(), RuntimeError("secret internals"))  # type: ignore[arg-type]
    assert response.status_code == 500
    assert response.content.error.code == "server_error"
    assert "secret internals" not in str(response.content)
