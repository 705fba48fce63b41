"""`Interlude`: one connection to a server, with the resources as attributes.

Authentication is an API key (`Interlude(url, api_key=...)`: `Authorization: Bearer`) or a
person's login (`Interlude.login(...)`: the session cookie, and the CSRF token the server asks
for on every request that changes data). A key acts for the person who created it, with their
role: a learner's key chats, a coach's reviews, an admin's manages webhooks.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from interlude_client.errors import raise_for_error
from interlude_client.models import Me
from interlude_client.resources import ApiKeys, Chat, Learners, Review, Webhooks

API = "/api/v1"
DEFAULT_TIMEOUT_S = 30.0  # a chat turn waits for the model; the server's own limit is 30 s


class Interlude:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`base_url` is the server's root (`http://127.0.0.1:8000`), not `/api/v1`."""
        headers = {"User-Agent": "interlude-client/0.1"}
        if api_key is not None:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self._csrf_token = ""
        self.api_keys = ApiKeys(self)
        self.learners = Learners(self)
        self.chat = Chat(self)
        self.review = Review(self)
        self.webhooks = Webhooks(self)

    @classmethod
    def login(
        cls,
        base_url: str,
        *,
        organization: str,
        email: str,
        password: str,
        timeout: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> Interlude:
        """A client acting through a login session (e.g. to create the API key to use next)."""
        client = cls(base_url, timeout=timeout, transport=transport)
        credentials = {"organization": organization, "email": email, "password": password}
        try:
            answer = client.request("POST", "/auth/login", json=credentials)
        except BaseException:
            client.close()
            raise
        client._csrf_token = answer["csrf_token"]
        return client

    def me(self) -> Me:
        """Who this client acts for."""
        return Me.of(self.request("GET", "/me"))

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Any operation of `/api/v1` (`path` below it), for those the resources do not wrap:
        the decoded JSON answer, None for 204; an error answer raises `InterludeError`.

        `idempotency_key` makes a retried POST safe: the server runs it once and answers the
        same key with the first answer for 24 hours."""
        headers = {}
        if self._csrf_token and method.upper() not in {"GET", "HEAD", "OPTIONS"}:
            headers["X-CSRF-Token"] = self._csrf_token
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        query = {k: v for k, v in (params or {}).items() if v is not None}
        response = self._http.request(method, API + path, json=json, params=query, headers=headers)
        raise_for_error(response)
        return response.json() if response.content else None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Interlude:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
