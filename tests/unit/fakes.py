"""Small in-memory fakes of our own ports, for unit tests of the use cases."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shared.adapters import event_rows
from shared.domain.errors import ConcurrentModification, Conflict, DependencyUnavailable, NotFound
from shared.domain.lead import Lead
from shared.domain.notification import Notification
from shared.domain.partner import Partner
from shared.services.event_ports import LeadChangeEvent
from shared.services.ports import DedupRecord, IdempotencyRecord, PoolTurn


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


@dataclass
class InMemoryLeadRepository:
    """Keeps the semantics the intake relies on: a customer-and-offer is claimed once, and a
    stale save loses. Counts reads so tests can check the cost of the hot path."""

    leads: dict[tuple[str, str], Lead] = field(default_factory=dict)
    dedup: dict[tuple[str, str], DedupRecord] = field(default_factory=dict)
    outbox: list[Notification] = field(default_factory=list)
    events: list[LeadChangeEvent] = field(default_factory=list)  # the log, in commit order
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    turns: dict[tuple[str, str], PoolTurn] = field(default_factory=dict)  # routing pools' next
    reads: int = 0
    _versions: itertools.count[int] = field(default_factory=itertools.count)

    def next_turn(self, partner_id: str, pool_key: str) -> PoolTurn:
        """The PoolRotation port: a pool's counter lives with the leads, as in storage."""
        return self.turns.get((partner_id, pool_key), PoolTurn(partner_id, pool_key, 0, None))

    def _advance(self, turn: PoolTurn | None) -> None:
        if turn is None:
            return
        if self.next_turn(turn.partner_id, turn.pool_key).etag != turn.etag:
            raise ConcurrentModification("turn taken")
        version = f"t{next(self._versions)}"
        self.turns[(turn.partner_id, turn.pool_key)] = PoolTurn(
            turn.partner_id, turn.pool_key, turn.turn + 1, version
        )

    def find_dedup(self, partner_id: str, dedup_key: str) -> DedupRecord | None:
        self.reads += 1
        return self.dedup.get((partner_id, dedup_key))

    def get(self, partner_id: str, lead_id: str) -> Lead:
        self.reads += 1
        if (partner_id, lead_id) not in self.leads:
            raise NotFound(lead_id)
        return self.leads[(partner_id, lead_id)].model_copy(deep=True)

    def add(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        replaces: DedupRecord | None = None,
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        current = self.dedup.get((lead.partner_id, lead.dedup_key))
        if (replaces is None and current is not None) or (
            replaces is not None and (current is None or current.etag != replaces.etag)
        ):
            raise ConcurrentModification("claimed")
        self._advance(turn)
        return self._store(lead, outbox, events)

    def save(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        if self.leads[(lead.partner_id, lead.id)].etag != lead.etag:
            raise ConcurrentModification("stale")
        self._advance(turn)
        return self._store(lead, outbox, events)

    def find_idempotency(self, partner_id: str, key: str) -> IdempotencyRecord | None:
        return self.idempotency.get((partner_id, key))

    def remember_idempotency(self, partner_id: str, record: IdempotencyRecord) -> IdempotencyRecord:
        return self.idempotency.setdefault((partner_id, record.key), record)

    def _store(
        self, lead: Lead, outbox: Sequence[Notification], events: Sequence[LeadChangeEvent] = ()
    ) -> Lead:
        stored = lead.model_copy(deep=True, update={"etag": f"v{next(self._versions)}"})
        stored.pull_events()  # storage keeps the lead, not what happened to it in memory
        self.leads[(lead.partner_id, lead.id)] = stored
        self.dedup[(lead.partner_id, lead.dedup_key)] = DedupRecord(
            lead_id=lead.id, archived=lead.is_archived, stages=lead.stages, etag=stored.etag
        )
        self.outbox.extend(outbox)
        if not lead.shows_contact:  # as the Table adapter scrubs the lead's earlier events
            self.events = [_scrubbed(e) if e.lead_id == lead.id else e for e in self.events]
        self.events.extend(events)
        return stored


def _scrubbed(event: LeadChangeEvent) -> LeadChangeEvent:
    data = event.cloud_event["data"]
    customer = {**data["customer"], **dict.fromkeys(event_rows.CONTACT_FIELDS)}
    cloud_event = {**event.cloud_event, "data": {**data, "customer": customer}}
    return dataclasses.replace(event, cloud_event=cloud_event)


@dataclass
class RecordingPublisher:
    published: list[Notification] = field(default_factory=list)
    failing: bool = False

    def publish(self, notifications: Sequence[Notification]) -> None:
        if self.failing:
            raise DependencyUnavailable("queue down")
        self.published.extend(notifications)


class NoFavorites:
    """A favourite store where nobody marked anything."""

    def add(self, partner_id: str, user_id: str, lead: Lead) -> None:
        return None

    def remove(self, partner_id: str, user_id: str, lead: Lead) -> None:
        return None

    def is_favorite(self, partner_id: str, user_id: str, lead_id: str) -> bool:
        return False

    def favorite_ids(self, partner_id: str, user_id: str) -> list[str]:
        return []


@dataclass
class RecordingActivity:
    """PartnerActivity: the new leads noted on partners' summaries."""

    received: list[tuple[str, datetime]] = field(default_factory=list)

    def lead_received(self, partner_id: str, at: datetime) -> None:
        self.received.append((partner_id, at))
