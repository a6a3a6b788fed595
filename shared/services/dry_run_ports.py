"""The jobs' ports for a dry run: every read goes to storage as in a real run, every write is
dropped and answered as if it had succeeded.

So a dry run walks the very code of the real run (what is due, which step applies, how many
emails one reminder or digest would carry) and reports the same counts, while storage and the
queues are left exactly as they were. What a dry run cannot see is a race: a real run may find
some of those leads handled meanwhile (its `skipped`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Protocol

from shared.domain.delivery import HeldDay, HeldLead
from shared.domain.intake_journal import JournalEntry, PendingDelivery
from shared.domain.lead import Lead
from shared.domain.notification import Notification
from shared.domain.work_order import WorkOrder
from shared.services.event_ports import EventLogPruner, LeadChangeEvent
from shared.services.job_ports import DigestHolds, DueKind, DueLead, DueLeadStore
from shared.services.journal_ports import (
    DeliveryJournal,
    JournalFilter,
    JournalPage,
    JournalPosition,
)
from shared.services.ports import (
    DedupRecord,
    IdempotencyRecord,
    LeadRepository,
    OutboxEntry,
    OutboxStore,
    PoolTurn,
)

# What a dry release answers as the day's new version: the digest job then carries on with the
# day's next chunk as it would after a real release.
_DRY_VERSION = "dry-run"


class DryPublisher:
    """NotificationPublisher, DeliveryQueue and WorkQueue that accept everything, send nothing."""

    def publish(self, *_args: object, **_kwargs: object) -> None:
        return None

    def publish_many(self, delivery_ids: list[str], partner_id: str) -> None:
        return None

    def enqueue(self, orders: Sequence[WorkOrder]) -> None:
        return None


class DryDueLeads:
    def __init__(self, live: DueLeadStore) -> None:
        self._live = live

    def due(
        self, partner_id: str, kind: DueKind, *, since: datetime | None, through: datetime
    ) -> Iterator[DueLead]:
        return self._live.due(partner_id, kind, since=since, through=through)

    def commit(
        self,
        item: DueLead,
        *,
        outbox: Sequence[Notification],
        events: Sequence[LeadChangeEvent] = (),
    ) -> Lead:
        return item.lead


class DryLeads:
    def __init__(self, live: LeadRepository) -> None:
        self._live = live

    def find_dedup(self, partner_id: str, dedup_key: str) -> DedupRecord | None:
        return self._live.find_dedup(partner_id, dedup_key)

    def get(self, partner_id: str, lead_id: str) -> Lead:
        return self._live.get(partner_id, lead_id)

    def add(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        replaces: DedupRecord | None = None,
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        return lead

    def save(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        return lead

    def find_idempotency(self, partner_id: str, key: str) -> IdempotencyRecord | None:
        return self._live.find_idempotency(partner_id, key)

    def remember_idempotency(self, partner_id: str, record: IdempotencyRecord) -> IdempotencyRecord:
        return record


class DryHolds:
    def __init__(self, live: DigestHolds) -> None:
        self._live = live

    def held(self, partner_id: str, *, through: date) -> list[HeldLead]:
        return self._live.held(partner_id, through=through)

    def day(self, partner_id: str, day: date) -> HeldDay:
        # The live `day` may first finish a release a crashed run left half done (a write):
        # listed from the held rows instead, which is what that release would leave.
        held = self._live.held(partner_id, through=day)
        ids = tuple(hold.lead_id for hold in held if hold.day == day)
        return HeldDay(day=day, lead_ids=ids, version=None)

    def release(self, digest: Notification, version: str | None) -> str | None:
        return _DRY_VERSION

    def waiting_order(self, partner_id: str) -> list[str]:
        return self._live.waiting_order(partner_id)


class DryOutbox:
    def __init__(self, live: OutboxStore) -> None:
        self._live = live

    def pending(self, partner_id: str, due_by: datetime) -> list[OutboxEntry]:
        return self._live.pending(partner_id, due_by)

    def reschedule(self, entry: OutboxEntry, next_relay_at: datetime) -> None:
        return None


class DryJournal:
    def __init__(self, live: DeliveryJournal) -> None:
        self._live = live

    def record(self, entry: JournalEntry, *, relay_at: datetime) -> None:
        return None

    def record_many(self, entries: list[JournalEntry], *, relay_at: datetime) -> None:
        return None

    def get(self, delivery_id: str, *, with_body: bool = True) -> JournalEntry | None:
        return self._live.get(delivery_id, with_body=with_body)

    def settle(self, entry: JournalEntry) -> JournalEntry:
        return entry

    def reopen(self, entry: JournalEntry, *, relay_at: datetime) -> JournalEntry:
        return entry

    def pending(self, day: date, due_by: datetime) -> list[PendingDelivery]:
        return self._live.pending(day, due_by)

    def postpone(self, day: date, pending: PendingDelivery, relay_at: datetime) -> None:
        return None

    def page(
        self, filters: JournalFilter, resume: JournalPosition | None, limit: int
    ) -> JournalPage:
        return self._live.page(filters, resume, limit)


class EventLogPreview(EventLogPruner, Protocol):
    def prunable(self, partner_id: str, before: datetime, *, limit: int) -> int:
        """How many events `prune` would delete now (up to `limit`), deleting none."""
        ...


class DryEventPruner:
    def __init__(self, live: EventLogPreview) -> None:
        self._live = live

    def prune(self, partner_id: str, before: datetime, *, limit: int) -> int:
        return self._live.prunable(partner_id, before, limit=limit)

    def prunable(self, partner_id: str, before: datetime, *, limit: int) -> int:
        return self._live.prunable(partner_id, before, limit=limit)
