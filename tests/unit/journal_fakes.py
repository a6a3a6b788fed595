"""In-memory fakes of the intake journal's ports, with the storage semantics the use cases rely
on: a settle or re-open under a stale ETag loses, and the pending index follows the journal."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from shared.domain.errors import ConcurrentModification, DependencyUnavailable
from shared.domain.intake_journal import JournalEntry, PendingDelivery, journal_day
from shared.services.journal_ports import JournalFilter, JournalPage, JournalPosition


@dataclass
class InMemoryDeliveryJournal:
    entries: dict[str, JournalEntry] = field(default_factory=dict)
    pending_rows: dict[str, tuple[datetime, int, str]] = field(default_factory=dict)
    _versions: itertools.count[int] = field(default_factory=itertools.count)

    def record(self, entry: JournalEntry, *, relay_at: datetime) -> None:
        if entry.delivery_id in self.entries:
            raise ConcurrentModification("delivery id taken")
        self.entries[entry.delivery_id] = self._version(entry)
        self.pending_rows[entry.delivery_id] = (relay_at, 0, self._tag())

    def record_many(self, entries: list[JournalEntry], *, relay_at: datetime) -> None:
        for entry in entries:
            self.record(entry, relay_at=relay_at)

    def get(self, delivery_id: str, *, with_body: bool = True) -> JournalEntry | None:
        entry = self.entries.get(delivery_id)
        if entry is None or with_body:
            return entry
        return replace(entry, body=None)

    def settle(self, entry: JournalEntry) -> JournalEntry:
        if entry.body is None:
            raise ValueError("settling moves the row: it needs the body")
        self._check(entry)
        if entry.delivery_id not in self.pending_rows:
            raise ConcurrentModification("pending row gone")
        del self.pending_rows[entry.delivery_id]
        return self._store(entry)

    def reopen(self, entry: JournalEntry, *, relay_at: datetime) -> JournalEntry:
        if entry.body is None:
            raise ValueError("re-opening moves the row: it needs the body")
        self._check(entry)
        self.pending_rows[entry.delivery_id] = (relay_at, 0, self._tag())
        return self._store(entry.reopened())

    def pending(self, day: date, due_by: datetime) -> list[PendingDelivery]:
        return [
            PendingDelivery(delivery_id, self.entries[delivery_id].partner_id, relays, tag)
            for delivery_id, (relay_at, relays, tag) in self.pending_rows.items()
            if journal_day(self.entries[delivery_id].received_at) == day and relay_at <= due_by
        ]

    def postpone(self, day: date, pending: PendingDelivery, relay_at: datetime) -> None:
        row = self.pending_rows.get(pending.delivery_id)
        if row is not None and row[2] == pending.etag:
            self.pending_rows[pending.delivery_id] = (relay_at, row[1] + 1, self._tag())

    def page(
        self, filters: JournalFilter, resume: JournalPosition | None, limit: int
    ) -> JournalPage:
        kept = sorted(
            (
                e
                for e in self.entries.values()
                if filters.received_from <= e.received_at <= filters.received_to
                and filters.partner_id in {None, e.partner_id}
                and filters.status in {None, e.status}
            ),
            key=lambda e: e.delivery_id,
            reverse=True,
        )
        if resume is not None and resume.after is not None:
            kept = [e for e in kept if e.delivery_id < resume.after]
        page = [replace(e, body=None) for e in kept[:limit]]
        more = len(kept) > limit
        return JournalPage(page, JournalPosition(date.min, page[-1].delivery_id) if more else None)

    def _check(self, entry: JournalEntry) -> None:
        if self.entries[entry.delivery_id].etag != entry.etag:
            raise ConcurrentModification("stale")

    def _store(self, entry: JournalEntry) -> JournalEntry:
        stored = self._version(replace(entry, body=self.entries[entry.delivery_id].body))
        self.entries[entry.delivery_id] = stored
        return replace(stored, body=None) if entry.body is None else stored

    def _version(self, entry: JournalEntry) -> JournalEntry:
        return replace(entry, etag=self._tag())

    def _tag(self) -> str:
        return f"v{next(self._versions)}"


@dataclass
class RecordingDeliveryQueue:
    published: list[str] = field(default_factory=list)
    failing: bool = False

    def publish(self, delivery_id: str, partner_id: str) -> None:
        if self.failing:
            raise DependencyUnavailable("queue down")
        self.published.append(delivery_id)

    def publish_many(self, delivery_ids: list[str], partner_id: str) -> None:
        for delivery_id in delivery_ids:
            self.publish(delivery_id, partner_id)
