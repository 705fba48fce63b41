"""Starting and stopping the app leaves nothing running: no thread, no background task."""

from __future__ import annotations

import threading

from litestar.testing import TestClient

from app.asgi import create_app
from app.settings import Settings


def test_starting_and_stopping_the_app_leaves_no_thread_behind(settings: Settings) -> None:
    def cycle() -> None:
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            assert client.get("/health").status_code == 200

    cycle()  # the first start may create what lives for the whole process (encoder, pools)
    before = {t.ident for t in threading.enumerate()}
    for _ in range(4):
        cycle()
    left = [t.name for t in threading.enumerate() if t.ident not in before]

    assert left == []
