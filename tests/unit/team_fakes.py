"""In-memory fakes of the Team and routing ports (shared/services/team_ports.py)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from shared.domain.errors import ConcurrentModification
from shared.domain.routing import RoutingSettings
from shared.domain.team import TeamMember
from shared.services.team_ports import StoredMember


@dataclass
class InMemoryTeamStore:
    rows: dict[tuple[str, str], StoredMember] = field(default_factory=dict)
    routing: dict[str, tuple[RoutingSettings, str]] = field(default_factory=dict)
    reads: int = 0
    writes: int = 0
    _versions: itertools.count[int] = field(default_factory=itertools.count)

    def members(self, partner_id: str) -> list[TeamMember]:
        self.reads += 1
        return [row.member for (p, _), row in self.rows.items() if p == partner_id]

    def find(self, partner_id: str, member_id: str) -> StoredMember | None:
        self.reads += 1
        return self.rows.get((partner_id, member_id))

    def record_user(self, partner_id: str, member: TeamMember, etag: str | None) -> None:
        current = self.rows.get((partner_id, member.id))
        if (current.etag if current else None) != etag:
            raise ConcurrentModification("recorded meanwhile")
        if current is not None:  # a visit never changes what the admin set
            member = member.model_copy(
                update={"available": current.member.available, "weight": current.member.weight}
            )
        self._put(partner_id, member)

    def save_settings(self, partner_id: str, member: TeamMember) -> None:
        self._put(partner_id, member)

    def get(self, partner_id: str) -> tuple[RoutingSettings, str | None]:
        settings, etag = self.routing.get(partner_id, (RoutingSettings(), None))
        return settings, etag

    def put(self, partner_id: str, settings: RoutingSettings, etag: str | None) -> str:
        current = self.routing.get(partner_id)
        if etag is not None and (current is None or current[1] != etag):
            raise ConcurrentModification("changed")
        version = f"r{next(self._versions)}"
        self.routing[partner_id] = (settings, version)
        return version

    def _put(self, partner_id: str, member: TeamMember) -> None:
        self.writes += 1
        self.rows[(partner_id, member.id)] = StoredMember(member, f"m{next(self._versions)}")
