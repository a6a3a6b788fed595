"""Small in-memory fakes of our own ports, for unit tests of the use cases."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shared.domain.errors import ConcurrentModification, Conflict
from shared.domain.partner import Partner


@dataclass
class SteppingClock:
    """A clock the test moves by hand."""

    instant: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.instant

    def advance(self, **delta: float) -> None:
        self.instant += timedelta(**delta)


@dataclass
class InMemoryPartnerRepository:
    partners: dict[str, Partner] = field(default_factory=dict)
    reads: int = 0
    _versions: itertools.count[int] = field(default_factory=itertools.count)

    def add(self, partner: Partner) -> Partner:
        if partner.partner_id in self.partners:
            raise Conflict(f"Partner '{partner.partner_id}' already exists.")
        return self._store(partner)

    def find(self, partner_id: str) -> Partner | None:
        self.reads += 1
        return self.partners.get(partner_id)

    def replace(self, partner: Partner) -> Partner:
        current = self.partners.get(partner.partner_id)
        if current is None or current.etag != partner.etag:
            raise ConcurrentModification("changed")
        return self._store(partner)

    def _store(self, partner: Partner) -> Partner:
        stored = partner.model_copy(update={"etag": f"v{next(self._versions)}"})
        self.partners[partner.partner_id] = stored
        return stored
