"""Secrets: password hashing (Argon2id), opaque tokens, API keys. No secret is ever logged."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

if TYPE_CHECKING:
    from app.settings import Settings

API_KEY_PREFIX = "ilk"


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Passwords:
    """Argon2id with the configured cost; verification never raises on a bad hash."""

    def __init__(self, *, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        # Verified when the email is unknown, so timing does not reveal which emails exist.
        self._dummy_hash = self._hasher.hash(new_token())

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and (
                password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False


@dataclass(frozen=True, slots=True)
class NewApiKey:
    prefix: str  # stored and shown in lists, lets a user recognise a key
    secret: str  # the whole key, shown once
    secret_hash: str


def new_api_key(tag: str = API_KEY_PREFIX) -> NewApiKey:
    """`tag` tells kinds of secrets apart at a glance (`ilk` an API key, `iti` an integration's)."""
    prefix = f"{tag}_{secrets.token_hex(6)}"
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(prefix=prefix, secret=secret, secret_hash=sha256_hex(secret))


def api_key_prefix(secret: str, tag: str = API_KEY_PREFIX) -> str | None:
    """The lookup prefix of a presented key, or None when it cannot be one of ours."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != tag or len(parts[1]) != 12:
        return None
    return f"{parts[0]}_{parts[1]}"
