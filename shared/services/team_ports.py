"""The ports of the partner's Team and its routing (adapters implement them; tests fake them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.domain.routing import RoutingSettings
from shared.domain.team import TeamMember
from shared.services.ports import PoolTurn


@dataclass(frozen=True, slots=True)
class StoredMember:
    member: TeamMember
    etag: str | None


class TeamStore(Protocol):
    def members(self, partner_id: str) -> list[TeamMember]:
        """Every stored member row: users who used the app, and contacts' settings."""
        ...

    def find(self, partner_id: str, member_id: str) -> StoredMember | None: ...

    def record_user(self, partner_id: str, member: TeamMember, etag: str | None) -> None:
        """Create the user's row (`etag` None) or update who they are and when they were
        seen under `etag`, keeping availability and weight; `ConcurrentModification` when
        another request did it first."""
        ...

    def save_settings(self, partner_id: str, member: TeamMember) -> None:
        """Write a member's availability and weight (and, for users, who they are)."""
        ...


class RoutingStore(Protocol):
    def get(self, partner_id: str) -> tuple[RoutingSettings, str | None]:
        """The partner's routing and its version (None: never set, the defaults)."""
        ...

    def put(self, partner_id: str, settings: RoutingSettings, etag: str | None) -> str:
        """Replace the routing (under `etag` when given: `ConcurrentModification` if stale)."""
        ...


class PoolRotation(Protocol):
    def next_turn(self, partner_id: str, pool_key: str) -> PoolTurn:
        """The pool's next turn and the version of its counter, to advance it in a lead's
        batch (lead_batches.turn_operation)."""
        ...
