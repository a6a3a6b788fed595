"""Verifies RS256 bearer tokens with a PEM public key or a JWKS URL (Entra ID).

Who may call what: docs/http-contract.md, "Who may call what".
"""

from __future__ import annotations

from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from shared.domain.errors import ConfigurationError, Unauthenticated
from shared.domain.principal import Principal

_ALGORITHMS = ["RS256"]
_LEEWAY_SECONDS = 60  # clock skew between the token issuer and this app


class JwtTokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        public_key_pem: str | None = None,
        jwks_url: str | None = None,
    ) -> None:
        if not (public_key_pem or jwks_url):
            raise ConfigurationError("set AUTH_JWKS_URL or AUTH_PUBLIC_KEY")
        self._issuer = issuer
        self._audience = audience
        self._public_key = _load_public_key(public_key_pem) if public_key_pem else None
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None

    def verify(self, token: str) -> Principal:
        try:
            key = self._signing_key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=_ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("The token has expired.") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated("The token is for another audience.") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("The token is from another issuer.") from None
        except (jwt.PyJWTError, ValueError):
            raise Unauthenticated("The token is not valid.") from None
        return _principal(claims)

    def _signing_key(self, token: str) -> Any:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        return self._public_key


def _load_public_key(pem: str) -> Any:
    # App settings cannot hold newlines easily: accept them written as a literal "\n".
    text = pem.replace("\\n", "\n").encode("ascii", errors="replace")
    try:
        return load_pem_public_key(text)
    except (ValueError, TypeError):
        raise ConfigurationError("AUTH_PUBLIC_KEY is not a PEM public key") from None


def _principal(claims: dict[str, Any]) -> Principal:
    user_id = claims.get("oid") or claims.get("sub")
    if not isinstance(user_id, str) or not user_id:
        raise Unauthenticated("The token names no user (oid or sub).")
    roles = claims.get("roles") or []
    if isinstance(roles, str):
        roles = [roles]
    partner_id = claims.get("partner_id")
    return Principal(
        user_id=user_id,
        roles=frozenset(role for role in roles if isinstance(role, str)),
        partner_id=partner_id if isinstance(partner_id, str) and partner_id else None,
        name=_optional_str(claims.get("name")),
        email=_optional_str(claims.get("email") or claims.get("preferred_username")),
    )


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
