"""Learner tokens: compact JWS (HS256), the format every JWT library reads, made with the
standard library so that no dependency is added for twenty lines of HMAC.

Each integration signs with its own key (`Integration.signing_key`), named by `kid`: revoking
or deleting the integration ends all its tokens at once, and a key never crosses organisations.
Verification trusts nothing in the header but `kid`: the algorithm is fixed (a token saying
`"alg": "none"` or anything else is refused, the classic JWT forgery), the signature is checked
before the claims are read, and the claims are checked against the integration the key belongs
to, not against themselves.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

ISSUER = "interlude"
HEADER_ALG = "HS256"


class TokenRejected(Exception):
    """The token cannot be used; the message tells its holder what to do."""


@dataclass(frozen=True, slots=True)
class LearnerClaims:
    integration_id: UUID
    organization_id: UUID
    user_id: UUID
    scopes: frozenset[str]
    expires_at: int  # seconds since the epoch


def audience(organization_id: UUID) -> str:
    return f"interlude:org:{organization_id}"


def new_signing_key() -> str:
    return secrets.token_urlsafe(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_part(claims: dict[str, Any]) -> str:
    return _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())


def _signature(signing_key: str, signed: str) -> str:
    return _b64(hmac.new(signing_key.encode(), signed.encode(), hashlib.sha256).digest())


def sign(signing_key: str, claims: LearnerClaims, *, now: datetime) -> str:
    header = {"alg": HEADER_ALG, "typ": "JWT", "kid": str(claims.integration_id)}
    payload = {
        "iss": ISSUER,
        "aud": audience(claims.organization_id),
        "sub": str(claims.user_id),
        "azp": str(claims.integration_id),
        "scope": " ".join(sorted(claims.scopes)),
        "iat": int(now.timestamp()),
        "exp": claims.expires_at,
        "jti": secrets.token_hex(8),
    }
    signed = f"{_json_part(header)}.{_json_part(payload)}"
    return f"{signed}.{_signature(signing_key, signed)}"


def looks_like_token(credentials: str) -> bool:
    """A JWS has three dot-separated parts; API keys have none."""
    return credentials.count(".") == 2


def key_id(token: str) -> UUID:
    """The integration named by the token's header, before anything is trusted."""
    try:
        header = json.loads(_unb64(token.split(".", 1)[0]))
        if not isinstance(header, dict) or header.get("alg") != HEADER_ALG:
            raise TokenRejected("This token was not made by Interlude: ask for a new one.")
        return UUID(str(header.get("kid")))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise TokenRejected("This token is malformed: ask for a new one.") from error


def verify(
    token: str, *, signing_key: str, integration_id: UUID, organization_id: UUID, now: datetime
) -> LearnerClaims:
    """The token's claims, once its signature, audience, issuer and expiry hold."""
    signed, _, signature = token.rpartition(".")
    if not hmac.compare_digest(signature.encode(), _signature(signing_key, signed).encode()):
        raise TokenRejected("This token's signature is wrong (altered?): ask for a new one.")
    try:
        claims = json.loads(_unb64(signed.split(".")[1]))
        user_id, expires_at = UUID(str(claims["sub"])), int(claims["exp"])
        scopes = frozenset(str(claims["scope"]).split())
    except (KeyError, TypeError, ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise TokenRejected("This token is malformed: ask for a new one.") from error
    if claims.get("iss") != ISSUER or claims.get("azp") != str(integration_id):
        raise TokenRejected("This token was not made for this integration: ask for a new one.")
    if claims.get("aud") != audience(organization_id):
        raise TokenRejected(
            "This token is for another organisation (wrong audience): ask for a new one."
        )
    if expires_at <= int(now.timestamp()):
        raise TokenRejected("This token has expired: ask your integration for a new one.")
    return LearnerClaims(integration_id, organization_id, user_id, scopes, expires_at)
