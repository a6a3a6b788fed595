"""RS256 tokens signed with a local PEM key: the dev sign-in's minter (never used in Azure)."""

from __future__ import annotations

import uuid
from datetime import datetime

import jwt


class JwtTokenMinter:
    def __init__(self, *, private_key_pem: str, issuer: str, audience: str) -> None:
        # App settings cannot hold line breaks everywhere: `\n` escapes are accepted, as for
        # AUTH_PUBLIC_KEY.
        self._key = private_key_pem.replace("\\n", "\n").encode()
        self._issuer = issuer
        self._audience = audience

    def mint(self, claims: dict[str, object], *, issued_at: datetime, expires_at: datetime) -> str:
        payload: dict[str, object] = {
            **claims,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(issued_at.timestamp()),
            "nbf": int(issued_at.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(payload, self._key, algorithm="RS256")
