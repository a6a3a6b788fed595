"""The local dev sign-in (`POST /api/dev-sign-in`): pick a partner and roles, get a bearer token
signed with the local dev key. For `make run` and the UI tests only.

It cannot be switched on in Azure: the composition root gives this service a minter only when
`DEV_SIGN_IN_ENABLED` is true, `DEV_SIGNING_KEY` is set and the platform's instance variables are
absent (`ui_config.dev_sign_in_allowed`); without a minter every call is a 404, as if the route
did not exist. Azure never sets the key (infra/main.bicep) and verifies tokens against Entra ID's
keys, which a locally minted token would fail anyway.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Protocol

from pydantic import EmailStr, Field, StringConstraints, field_validator

from shared.domain.errors import NotFound
from shared.domain.model import ApiModel
from shared.domain.partner import PartnerId
from shared.domain.principal import PARTNER_READERS
from shared.services.ports import Clock

TOKEN_LIFETIME = timedelta(hours=8)


class DevSignInRequest(ApiModel):
    partner_id: PartnerId
    roles: Annotated[list[str], Field(min_length=1, max_length=3)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = "Dev User"
    email: EmailStr = "dev.user@example.com"

    @field_validator("roles")
    @classmethod
    def _partner_roles_only(cls, roles: list[str]) -> list[str]:
        unknown = set(roles) - set(PARTNER_READERS)
        if unknown:
            raise ValueError(f"only partner roles: {', '.join(sorted(PARTNER_READERS))}")
        return sorted(set(roles))


class DevToken(ApiModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105  # the scheme's name, not a secret
    expires_on: datetime


class TokenMinter(Protocol):
    def mint(self, claims: dict[str, object], *, issued_at: datetime, expires_at: datetime) -> str:
        """A signed JWT with these claims plus iss, aud, iat, nbf, exp and a fresh jti."""
        ...


class DevSignIn:
    def __init__(self, *, minter: TokenMinter | None, clock: Clock) -> None:
        self._minter = minter
        self._clock = clock

    @property
    def available(self) -> bool:
        return self._minter is not None

    def require_available(self) -> None:
        if self._minter is None:
            raise NotFound("There is no dev sign-in here.")

    def sign_in(self, request: DevSignInRequest) -> DevToken:
        if self._minter is None:
            raise NotFound("There is no dev sign-in here.")
        now = self._clock.now()
        expires = now + TOKEN_LIFETIME
        user_id = f"dev-{request.partner_id}-{_slug(request.email)}"
        claims: dict[str, object] = {
            "sub": user_id,
            "oid": user_id,
            "partner_id": request.partner_id,
            "roles": request.roles,
            "name": request.name,
            "email": str(request.email),
        }
        token = self._minter.mint(claims, issued_at=now, expires_at=expires)
        return DevToken(access_token=token, expires_on=expires)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "user"
