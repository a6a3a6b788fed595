"""The small interfaces the use cases depend on. Adapters implement them; tests fake them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from shared.domain.partner import Partner
from shared.domain.principal import Principal


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class PartnerRepository(Protocol):
    def add(self, partner: Partner) -> Partner:
        """Store a new partner; `Conflict` if the id is taken."""
        ...

    def find(self, partner_id: str) -> Partner | None: ...

    def replace(self, partner: Partner) -> Partner:
        """Write back a partner read earlier; `ConcurrentModification` if it changed since."""
        ...


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal:
        """The caller a bearer token proves; `Unauthenticated` for any bad token."""
        ...


class HealthProbe(Protocol):
    name: str

    def check(self) -> None:
        """Return if the dependency answers; raise `DependencyUnavailable` otherwise."""
        ...
