"""Login throttling: per client address (Litestar's rate-limit middleware) and per account
(failed attempts, counted in the same Litestar store), with the password hash check bounded
in concurrency.

Each attempt costs an Argon2id hash (64 MiB, tens of milliseconds): unthrottled, a password
guesser is also a cheap denial of service. The store is Redis when `REDIS_URL` is set (every
server process shares the counts), memory otherwise (one process, the default install).
"""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from app.settings import Settings

STORE = "rate_limit"
# Where a password is tried or a password link asked for or used: the API and the forms.
LOGIN_PATHS = (
    "/api/v1/auth/login",
    "/login",
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password",
    "/password/forgot",
    "/password/new",
)
# At most this many password checks at once per process; the others wait their turn.
HASH_CHECKS_AT_ONCE = 2
_FAILURES = "login-failures::"


def build_store(settings: Settings) -> Store:
    if settings.redis_url:
        from litestar.stores.redis import RedisStore  # imported only when configured

        return RedisStore.with_client(url=settings.redis_url, namespace="interlude")
    return MemoryStore()


def _is_login(request: Request[Any, Any, Any]) -> bool:
    return request.method == "POST" and request.url.path in LOGIN_PATHS


def login_rate_limit(settings: Settings) -> RateLimitConfig:
    """Every login request of one client address counts, successful or not."""
    return RateLimitConfig(
        rate_limit=("minute", settings.login_attempts_per_minute),
        check_throttle_handler=_is_login,
        store=STORE,
    )


class AccountThrottle:
    """Failed logins per (organisation, e-mail address): after `limit` within `window_s`, that
    account's logins answer 429 until the window ends, right or wrong password alike, and no
    hash is computed for them."""

    def __init__(self, store: Store, limit: int, window_s: int) -> None:
        self._store = store
        self._limit = limit
        self._window_s = window_s
        self._hash_checks = anyio.CapacityLimiter(HASH_CHECKS_AT_ONCE)

    @staticmethod
    def _key(organization: str, email: str) -> str:
        return f"{_FAILURES}{organization}::{email}"

    async def check(self, organization: str, email: str) -> None:
        key = self._key(organization, email)
        failures = int(await self._store.get(key) or 0)
        if failures >= self._limit:
            wait_s = await self._store.expires_in(key) or self._window_s
            raise TooManyRequestsException(
                detail=(
                    f"Too many failed logins for this account: try again in {wait_s} s, or "
                    "ask your admin to check the account."
                ),
                headers={"Retry-After": str(wait_s)},
            )

    async def failed(self, organization: str, email: str) -> None:
        key = self._key(organization, email)
        failures = int(await self._store.get(key) or 0) + 1
        # The window starts at the first failure and is not extended by later ones.
        left = await self._store.expires_in(key) if failures > 1 else None
        await self._store.set(key, str(failures), expires_in=left or self._window_s)

    async def succeeded(self, organization: str, email: str) -> None:
        await self._store.delete(self._key(organization, email))

    async def hash_check(self, check: Any, *args: Any) -> Any:
        """Run the (CPU-heavy) password check in a worker thread, a few at a time."""
        return await anyio.to_thread.run_sync(check, *args, limiter=self._hash_checks)
