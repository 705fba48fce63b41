"""The OpenAPI document is good enough to generate a client from, and its page works offline.

Every operation under /api/v1 has a summary, a description, an operation id from the pinned
list, and its error answers documented with the body the API really sends (`ErrorBody`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.asgi import create_app
from app.lib.errors import ErrorBody, ErrorDetail
from app.settings import Settings

METHODS = {"get", "put", "post", "delete", "patch"}
OPERATION_IDS = Path(__file__).with_name("openapi_operation_ids.txt")
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Litestar:
    data = tmp_path_factory.mktemp("openapi")
    # Building the document and serving its page touch no database: no migration, no startup.
    return create_app(
        Settings(
            environment="test",
            data_dir=data,
            database_url=f"sqlite+aiosqlite:///{data}/unused.db",
            log_level="WARNING",
        )
    )


@pytest.fixture(scope="module")
def document(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS and path.startswith("/api/v1/")
    ]


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    found = operations(document)
    assert len(found) > 60
    assert [name for name, op in found if not op.get("summary")] == []
    assert [name for name, op in found if not op.get("description")] == []


def test_operation_ids_are_the_pinned_ones(document: dict[str, Any]) -> None:
    """A generated client names its methods after these: a change here breaks its users, so
    it is made on purpose, in tests/unit/openapi_operation_ids.txt too."""
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", i) for i in ids), ids
    assert sorted(ids) == OPERATION_IDS.read_text().split()


def test_errors_are_documented_with_the_real_body(document: dict[str, Any]) -> None:
    missing = []
    for name, op in operations(document):
        responses = op["responses"]
        expected = set()
        if op.get("parameters") or op.get("requestBody"):
            expected.add("400")
        if "{" in name:
            expected.add("404")
        if op.get("security"):
            expected |= {"401", "403"}
        missing += [f"{name} {status}" for status in sorted(expected - set(responses))]
        for status, response in responses.items():
            if status[0] in "45":
                assert response["content"]["application/json"]["schema"] == ERROR_REF, name
                assert response["description"]
    assert missing == []


def test_the_error_schema_is_what_the_handlers_send(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    body = schemas["ErrorBody"]
    assert body["required"] == ["error"]
    detail = schemas["ErrorDetail"]
    assert (
        set(detail["properties"]) == set(detail["required"]) == set(ErrorDetail.__struct_fields__)
    )
    sent = msgspec.json.decode(
        msgspec.json.encode(ErrorBody(ErrorDetail(code="not_found", message="m", field=None)))
    )
    assert set(sent["error"]) == set(detail["properties"])


def test_login_and_health_need_no_identity(document: dict[str, Any]) -> None:
    assert "security" not in document  # each operation says what it needs
    assert "security" not in document["paths"]["/api/v1/auth/login"]["post"]
    assert "security" not in document["paths"]["/health"]["get"]
    assert document["paths"]["/api/v1/me"]["get"]["security"]


@pytest.mark.parametrize("page", ["/schema", "/schema/swagger"])
def test_the_reference_page_loads_everything_from_the_app(app: Litestar, page: str) -> None:
    # Not entered: the app's startup (workers, database) is not needed for these routes.
    client = TestClient(app, base_url="http://127.0.0.1")
    response = client.get(page)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "http" not in csp
    assert "unsafe" not in csp
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert len(assets) >= 4
    assert "<script>" not in response.text  # an inline script would break the CSP
    assert "<style" not in response.text
    for url in assets:
        assert not urlsplit(url).scheme
        assert not urlsplit(url).netloc
        assert client.get(url).status_code == 200, url
    assert client.get("/schema/openapi.json").status_code == 200
