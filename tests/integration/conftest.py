from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.asgi import create_app
from app.settings import Settings
from tests.support import OrgWorld, build_worlds


@pytest.fixture
def worlds(settings: Settings) -> list[OrgWorld]:
    """Two organisations, seeded before the app starts."""
    return build_worlds(settings, "alpha", "beta")


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar, worlds: list[OrgWorld]) -> Iterator[TestClient[Any]]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client
