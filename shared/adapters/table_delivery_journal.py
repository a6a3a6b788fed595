"""The intake journal in the Deliveries table: one partition per UTC day of arrival.

    PartitionKey  yyyy-mm-dd (UTC day of arrival)
    R|<newest-first>|<deliveryId>   received, not processed yet: the delivery, its raw body, and
                                    when the relay should queue it again (NextRelayAt, Relays)
    J|<newest-first>|<deliveryId>   settled: the same delivery with its outcome

A day partition lets operators list every partner's deliveries newest first in a time window
(one key range per day, or two merged: R and J), and the delivery id carries its arrival
millisecond, so a delivery is at most two point reads. The acknowledgement writes one entity
(a `create_entity`, half the cost of a two-entity batch on the wire and in the service); the
pending deliveries of a day are the short R range, so the relay never scans the journal.
Settling moves the row from R to J in one batch, the R delete under the ETag processing read:
two runs of one delivery cannot both settle it. The body is kept as bytes (Edm.Binary), in
columns of at most 64 KiB, the cap of a binary property. The delivery id, its arrival time and
a received row's status are read from the RowKey, and an outcome is stored only once there is
one (`delivery_rows.stored_row`).
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters.delivery_rows import (
    RECEIVED,
    SETTLED,
    SUMMARY,
    delivery_id_of,
    entry_of,
    journal_keys,
    stored_row,
)
from shared.adapters.lead_rows import key_after, newest_first
from shared.adapters.storage_errors import submit_batch, translate_storage_errors
from shared.domain.intake_journal import JournalEntry, JournalStatus, PendingDelivery, journal_day
from shared.services.journal_ports import JournalFilter, JournalPage, JournalPosition

_LOST_RACE = "The delivery was settled or changed by another run."


class TableDeliveryJournal:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def record(self, entry: JournalEntry, *, relay_at: datetime) -> None:
        with translate_storage_errors():
            self._table.create_entity(stored_row(entry, RECEIVED, relay_at=relay_at))

    def record_many(self, entries: list[JournalEntry], *, relay_at: datetime) -> None:
        by_day: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for entry in entries:
            row = stored_row(entry, RECEIVED, relay_at=relay_at)
            by_day.setdefault(row["PartitionKey"], []).append(("create", row))
        for operations in by_day.values():
            for start in range(0, len(operations), 100):  # a batch holds 100 operations
                chunk = operations[start : start + 100]
                submit_batch(self._table, chunk, lost_race="delivery id taken")

    def get(self, delivery_id: str, *, with_body: bool = True) -> JournalEntry | None:
        partition, key = journal_keys(delivery_id)
        select = None if with_body else SUMMARY
        for prefix in (RECEIVED, SETTLED):  # processing, the hot path, finds it under R
            with translate_storage_errors(), contextlib.suppress(ResourceNotFoundError):
                entity = self._table.get_entity(partition, f"{prefix}{key}", select=select)
                return entry_of(entity, with_body=with_body)
        return None

    def settle(self, entry: JournalEntry) -> JournalEntry:
        return self._move(entry, RECEIVED, SETTLED, relay_at=None)

    def reopen(self, entry: JournalEntry, *, relay_at: datetime) -> JournalEntry:
        return self._move(entry.reopened(), SETTLED, RECEIVED, relay_at=relay_at, etag=entry.etag)

    def _move(
        self,
        entry: JournalEntry,
        source: str,
        target: str,
        *,
        relay_at: datetime | None,
        etag: str | None = None,
    ) -> JournalEntry:
        """Write `entry` under `target` and delete it from `source` (under the ETag it was read
        with), in one batch: all or nothing, and a lost race (`ConcurrentModification`)."""
        if entry.body is None:
            raise ValueError("moving a journal row needs its body")
        row = stored_row(entry, target, relay_at=relay_at)
        gone = {"PartitionKey": row["PartitionKey"], "RowKey": f"{source}{row['RowKey'][2:]}"}
        condition = {"etag": etag or entry.etag, "match_condition": MatchConditions.IfNotModified}
        results = submit_batch(
            self._table, [("create", row), ("delete", gone, condition)], lost_race=_LOST_RACE
        )
        return _with_etag(entry, results[0])

    def pending(self, day: date, due_by: datetime) -> list[PendingDelivery]:
        query = (
            "PartitionKey eq @day and RowKey ge @start and RowKey lt @end and NextRelayAt le @due"
        )
        parameters = {
            "day": day.isoformat(),
            "start": RECEIVED,
            "end": key_after(RECEIVED),
            "due": due_by,
        }
        with translate_storage_errors():
            entities = self._table.query_entities(
                query, parameters=parameters, select=["RowKey", "PartnerId", "Relays"]
            )
            return [
                PendingDelivery(
                    delivery_id=delivery_id_of(entity["RowKey"]),
                    partner_id=entity["PartnerId"],
                    relays=int(entity.get("Relays") or 0),
                    etag=entity.metadata.get("etag"),
                )
                for entity in entities
            ]

    def postpone(self, day: date, pending: PendingDelivery, relay_at: datetime) -> None:
        partition, key = journal_keys(pending.delivery_id)
        # Gone or changed: processed meanwhile, or relayed by a concurrent run. Nothing to do.
        handled = contextlib.suppress(ResourceModifiedError, ResourceNotFoundError)
        with translate_storage_errors(), handled:
            self._table.update_entity(
                {
                    "PartitionKey": partition,
                    "RowKey": f"{RECEIVED}{key}",
                    "Relays": pending.relays + 1,
                    "NextRelayAt": relay_at,
                },
                mode=UpdateMode.MERGE,
                etag=pending.etag,
                match_condition=MatchConditions.IfNotModified,
            )

    def page(
        self, filters: JournalFilter, resume: JournalPosition | None, limit: int
    ) -> JournalPage:
        found: list[tuple[date, str, JournalEntry]] = []
        for day in _days(filters, resume):
            after = resume.after if resume and resume.day == day else None
            for key, entity in self._scan(day, filters, after, limit + 1 - len(found)):
                found.append((day, key, entry_of(entity)))
                if len(found) > limit:  # one more than asked: there is a next page
                    last_day, last_key, _ = found[limit - 1]
                    entries = [entry for *_, entry in found[:limit]]
                    return JournalPage(entries, JournalPosition(last_day, last_key))
        return JournalPage([entry for *_, entry in found], None)

    def _scan(
        self, day: date, filters: JournalFilter, after: str | None, limit: int
    ) -> Iterator[tuple[str, Any]]:
        """The day's deliveries newest first: the R and J ranges merged on `<time>|<id>`."""
        prefixes = [RECEIVED, SETTLED]
        if filters.status is JournalStatus.RECEIVED:
            prefixes = [RECEIVED]
        elif filters.status is not None:
            prefixes = [SETTLED]
        ranges = [self._range(prefix, day, filters, after, limit) for prefix in prefixes]
        yield from heapq.merge(*ranges, key=lambda item: item[0])

    def _range(
        self, prefix: str, day: date, filters: JournalFilter, after: str | None, limit: int
    ) -> Iterator[tuple[str, Any]]:
        conditions = ["PartitionKey eq @day", "RowKey gt @low", "RowKey lt @high"]
        parameters: dict[str, Any] = {
            "day": day.isoformat(),
            "low": f"{prefix}{after or newest_first(filters.received_to)}",
            "high": f"{prefix}{newest_first(filters.received_from, exclusive=True)}",
        }
        if filters.partner_id is not None:
            conditions.append("PartnerId eq @partner")
            parameters["partner"] = filters.partner_id
        if filters.status is not None and prefix != RECEIVED:  # R rows are all Received
            conditions.append("Status eq @status")
            parameters["status"] = filters.status.value
        with translate_storage_errors():
            for entity in self._table.query_entities(
                " and ".join(conditions),
                parameters=parameters,
                select=SUMMARY,
                results_per_page=min(max(limit, 1), 1000),
            ):
                yield entity["RowKey"][len(prefix) :], entity


def _days(filters: JournalFilter, resume: JournalPosition | None) -> Iterator[date]:
    day = resume.day if resume else journal_day(filters.received_to)
    first = journal_day(filters.received_from)
    while day >= first:
        yield day
        day -= timedelta(days=1)


def _with_etag(entry: JournalEntry, result: Mapping[str, Any]) -> JournalEntry:
    return replace(entry, etag=result.get("etag"))
