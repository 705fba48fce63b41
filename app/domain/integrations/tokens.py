"""Learner tokens: JWTs signed with HS256 by PyJWT.

Each integration signs with its own key (`Integration.signing_key`), named by `kid`: revoking
or deleting the integration ends all its tokens at once, and a key never crosses organisations.
Verification trusts nothing in the header but `kid`: the algorithm is fixed (a token saying
`"alg": "none"` or anything else is refused, the classic JWT forgery), the signature is checked
before the claims are read, and the claims are checked against the integration the key belongs
to, not against themselves. Expiry is read against the app's clock (tests move it), not the
library's.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import jwt

ISSUER = "interlude"
HEADER_ALG = "HS256"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "azp", "scope", "exp"]


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


def sign(signing_key: str, claims: LearnerClaims, *, now: datetime) -> str:
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
    header = {"kid": str(claims.integration_id)}
    return jwt.encode(payload, signing_key, algorithm=HEADER_ALG, headers=header)


def looks_like_token(credentials: str) -> bool:
    """A JWS has three dot-separated parts; API keys have none."""
    return credentials.count(".") == 2


def key_id(token: str) -> UUID:
    """The integration named by the token's header, before anything is trusted."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != HEADER_ALG:
            raise TokenRejected("This token was not made by Interlude: ask for a new one.")
        return UUID(str(header.get("kid")))
    except (jwt.InvalidTokenError, ValueError) as error:
        raise TokenRejected("This token is malformed: ask for a new one.") from error


def verify(
    token: str, *, signing_key: str, integration_id: UUID, organization_id: UUID, now: datetime
) -> LearnerClaims:
    """The token's claims, once its signature, audience, issuer and expiry hold."""
    try:
        claims = jwt.decode(
            token,
            signing_key,
            algorithms=[HEADER_ALG],
            audience=audience(organization_id),
            issuer=ISSUER,
            options={"require": REQUIRED_CLAIMS, "verify_exp": False},
        )
        user_id, expires_at = UUID(str(claims["sub"])), int(claims["exp"])
    except jwt.InvalidSignatureError as error:
        raise TokenRejected("This token's signature is wrong (altered?): ask for a new one.") from (
            error
        )
    except jwt.InvalidAudienceError as error:
        raise TokenRejected(
            "This token is for another organisation (wrong audience): ask for a new one."
        ) from error
    except jwt.InvalidIssuerError as error:
        raise TokenRejected(
            "This token was not made for this integration: ask for a new one."
        ) from error
    except (jwt.InvalidTokenError, TypeError, ValueError) as error:
        raise TokenRejected("This token is malformed: ask for a new one.") from error
    if claims["azp"] != str(integration_id):
        raise TokenRejected("This token was not made for this integration: ask for a new one.")
    if expires_at <= int(now.timestamp()):
        raise TokenRejected("This token has expired: ask your integration for a new one.")
    scopes = frozenset(str(claims["scope"]).split())
    return LearnerClaims(
        integration_id=integration_id,
        organization_id=organization_id,
        user_id=user_id,
        scopes=scopes,
        expires_at=expires_at,
    )
