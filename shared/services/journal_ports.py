"""The intake journal's ports: where deliveries are kept, and the queue that wakes processing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from shared.domain.intake_journal import JournalEntry, JournalStatus, PendingDelivery


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """Which deliveries an operator lists or replays: a window of arrival, narrowed."""

    received_from: datetime
    received_to: datetime
    partner_id: str | None = None
    status: JournalStatus | None = None


@dataclass(frozen=True, slots=True)
class JournalPosition:
    """Where a listing goes on: inside `day`, after the row `after` (None: from the start)."""

    day: date
    after: str | None = None


@dataclass(frozen=True, slots=True)
class JournalPage:
    entries: list[JournalEntry]
    resume: JournalPosition | None  # None: nothing more in the window


class DeliveryJournal(Protocol):
    def record(self, entry: JournalEntry, *, relay_at: datetime) -> None:
        """Journal a new delivery as received (one write)."""
        ...

    def record_many(self, entries: list[JournalEntry], *, relay_at: datetime) -> None:
        """Journal deliveries as received, as few batches as the partitions allow."""
        ...

    def get(self, delivery_id: str, *, with_body: bool = True) -> JournalEntry | None: ...

    def settle(self, entry: JournalEntry) -> JournalEntry:
        """Record the outcome, under the ETag `entry` (with its body) was read with;
        `ConcurrentModification` when another run settled or changed it first."""
        ...

    def reopen(self, entry: JournalEntry, *, relay_at: datetime) -> JournalEntry:
        """Back to Received (a replay), under the ETag `entry` (with its body) was read with."""
        ...

    def pending(self, day: date, due_by: datetime) -> list[PendingDelivery]:
        """That day's deliveries not yet processed whose relay time has come."""
        ...

    def postpone(self, day: date, pending: PendingDelivery, relay_at: datetime) -> None:
        """Relay this one again at `relay_at`, unless it was processed meanwhile."""
        ...

    def page(
        self, filters: JournalFilter, resume: JournalPosition | None, limit: int
    ) -> JournalPage:
        """Up to `limit` deliveries, newest first, without their bodies."""
        ...


class DeliveryQueue(Protocol):
    def publish(self, delivery_id: str, partner_id: str) -> None:
        """Wake processing for a delivery; `DependencyUnavailable` if the queue is down."""
        ...

    def publish_many(self, delivery_ids: list[str], partner_id: str) -> None:
        """Wake processing for deliveries of one partner, in one message."""
        ...
