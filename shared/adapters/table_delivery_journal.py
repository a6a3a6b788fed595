"""The intake journal in the Deliveries table: one partition per UTC day of arrival.

    PartitionKey  yyyy-mm-dd (UTC day of arrival)
    J|<newest-first>|<deliveryId>   the delivery: partner, SHA-256, status, outcome, the raw body
    P|<deliveryId>                  pending index: written with J, deleted when J is settled

A day partition lets operators list every partner's deliveries newest first in a time window
(one key range per day), and the delivery id carries its arrival millisecond, so a delivery is
a point read. The pending rows of a day are one short key range: the relay never scans the
journal. The body is kept as bytes (Edm.Binary), in columns of at most 64 KiB, the cap of a
binary property.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters.lead_rows import key_after, newest_first
from shared.adapters.storage_errors import submit_batch, translate_storage_errors
from shared.domain.intake_journal import (
    DeliverySource,
    JournalEntry,
    JournalStatus,
    PendingDelivery,
    journal_day,
    received_at_of,
)
from shared.services.journal_ports import JournalFilter, JournalPage, JournalPosition

JOURNAL = "J|"
PENDING = "P|"
_BINARY_CHUNK = 64 * 1024
_SUMMARY = [
    "DeliveryId", "PartnerId", "ReceivedAt", "Sha256", "Source", "Status", "LeadId", "Reason",
    "Attempts", "ProcessedAt", "BodyBytes",
]  # fmt: skip
_LOST_RACE = "The delivery was settled by another run."


def journal_key(delivery_id: str) -> tuple[str, str]:
    """PartitionKey and RowKey of a delivery's journal row, from its id alone."""
    received_at = received_at_of(delivery_id)
    return _day(received_at), f"{JOURNAL}{newest_first(received_at)}|{delivery_id}"


class TableDeliveryJournal:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def record(self, entry: JournalEntry, *, relay_at: datetime) -> None:
        self.record_many([entry], relay_at=relay_at)

    def record_many(self, entries: list[JournalEntry], *, relay_at: datetime) -> None:
        by_day: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for entry in entries:
            operations = by_day.setdefault(_day(entry.received_at), [])
            operations += [("create", _stored(entry)), ("create", _pending_entity(entry, relay_at))]
        for operations in by_day.values():
            for start in range(0, len(operations), 100):  # a batch holds 100 operations
                chunk = operations[start : start + 100]
                submit_batch(self._table, chunk, lost_race="delivery id taken")

    def get(self, delivery_id: str, *, with_body: bool = True) -> JournalEntry | None:
        partition, row = journal_key(delivery_id)
        with translate_storage_errors(), contextlib.suppress(ResourceNotFoundError):
            if with_body:
                return _entry(self._table.get_entity(partition, row), with_body=True)
            return _entry(self._table.get_entity(partition, row, select=_SUMMARY))
        return None

    def settle(self, entry: JournalEntry) -> JournalEntry:
        partition, row = journal_key(entry.delivery_id)
        update = {"PartitionKey": partition, "RowKey": row, **_outcome_columns(entry)}
        drop = {"PartitionKey": partition, "RowKey": f"{PENDING}{entry.delivery_id}"}
        results = submit_batch(
            self._table,
            [("update", update, _if_unchanged(entry)), ("delete", drop)],
            lost_race=_LOST_RACE,
        )
        return _with_etag(entry, results[0])

    def reopen(self, entry: JournalEntry, *, relay_at: datetime) -> JournalEntry:
        partition, row = journal_key(entry.delivery_id)
        reopened = entry.reopened()
        update = {"PartitionKey": partition, "RowKey": row, **_outcome_columns(reopened)}
        pending = _pending_entity(entry, relay_at)
        results = submit_batch(
            self._table,
            [("update", update, _if_unchanged(entry)), ("upsert", pending)],
            lost_race=_LOST_RACE,
        )
        return _with_etag(reopened, results[0])

    def pending(self, day: date, due_by: datetime) -> list[PendingDelivery]:
        query = (
            "PartitionKey eq @day and RowKey ge @start and RowKey lt @end and NextRelayAt le @due"
        )
        parameters = {
            "day": day.isoformat(),
            "start": PENDING,
            "end": key_after(PENDING),
            "due": due_by,
        }
        with translate_storage_errors():
            return [
                PendingDelivery(
                    delivery_id=entity["DeliveryId"],
                    partner_id=entity["PartnerId"],
                    relays=int(entity["Relays"]),
                    etag=entity.metadata.get("etag"),
                )
                for entity in self._table.query_entities(query, parameters=parameters)
            ]

    def postpone(self, day: date, pending: PendingDelivery, relay_at: datetime) -> None:
        # Gone or changed: processed meanwhile, or relayed by a concurrent run. Nothing to do.
        handled = contextlib.suppress(ResourceModifiedError, ResourceNotFoundError)
        with translate_storage_errors(), handled:
            self._table.update_entity(
                {
                    "PartitionKey": day.isoformat(),
                    "RowKey": f"{PENDING}{pending.delivery_id}",
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
            for entity in self._scan(day, filters, after, limit + 1 - len(found)):
                found.append((day, entity["RowKey"], _entry(entity)))
                if len(found) > limit:  # one more than asked: there is a next page
                    last_day, last_key, _ = found[limit - 1]
                    entries = [entry for *_, entry in found[:limit]]
                    return JournalPage(entries, JournalPosition(last_day, last_key))
        return JournalPage([entry for *_, entry in found], None)

    def _scan(
        self, day: date, filters: JournalFilter, after: str | None, limit: int
    ) -> Iterator[Any]:
        conditions = ["PartitionKey eq @day", "RowKey gt @low", "RowKey lt @high"]
        parameters: dict[str, Any] = {
            "day": day.isoformat(),
            "low": after or f"{JOURNAL}{newest_first(filters.received_to)}",
            "high": f"{JOURNAL}{newest_first(filters.received_from, exclusive=True)}",
        }
        if filters.partner_id is not None:
            conditions.append("PartnerId eq @partner")
            parameters["partner"] = filters.partner_id
        if filters.status is not None:
            conditions.append("Status eq @status")
            parameters["status"] = filters.status.value
        with translate_storage_errors():
            yield from self._table.query_entities(
                " and ".join(conditions),
                parameters=parameters,
                select=[*_SUMMARY, "RowKey"],
                results_per_page=min(max(limit, 1), 1000),
            )


def _day(instant: datetime) -> str:
    return journal_day(instant).isoformat()


def _days(filters: JournalFilter, resume: JournalPosition | None) -> Iterator[date]:
    day = resume.day if resume else journal_day(filters.received_to)
    first = journal_day(filters.received_from)
    while day >= first:
        yield day
        day -= timedelta(days=1)


def _if_unchanged(entry: JournalEntry) -> dict[str, Any]:
    return {
        "mode": UpdateMode.MERGE,
        "etag": entry.etag,
        "match_condition": MatchConditions.IfNotModified,
    }


def _stored(entry: JournalEntry) -> dict[str, Any]:
    body = entry.body or b""
    chunks = [body[i : i + _BINARY_CHUNK] for i in range(0, len(body), _BINARY_CHUNK)]
    journal = _journal_entity(entry) | {"BodyBytes": len(body), "BodyChunks": len(chunks)}
    return journal | {f"Body{i}": chunk for i, chunk in enumerate(chunks)}


def _journal_entity(entry: JournalEntry) -> dict[str, Any]:
    partition, row = journal_key(entry.delivery_id)
    return {
        "PartitionKey": partition,
        "RowKey": row,
        "DeliveryId": entry.delivery_id,
        "PartnerId": entry.partner_id,
        "ReceivedAt": entry.received_at,
        "Sha256": entry.sha256,
        "Source": entry.source.value,
        **_outcome_columns(entry),
    }


def _outcome_columns(entry: JournalEntry) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "Status": entry.status.value,
        "LeadId": entry.lead_id or "",
        "Reason": entry.reason or "",
        "Attempts": entry.attempts,
    }
    if entry.processed_at is not None:
        columns["ProcessedAt"] = entry.processed_at
    return columns


def _pending_entity(entry: JournalEntry, relay_at: datetime) -> dict[str, Any]:
    return {
        "PartitionKey": _day(entry.received_at),
        "RowKey": f"{PENDING}{entry.delivery_id}",
        "DeliveryId": entry.delivery_id,
        "PartnerId": entry.partner_id,
        "NextRelayAt": relay_at,
        "Relays": 0,
    }


def _entry(entity: Any, *, with_body: bool = False) -> JournalEntry:
    body = None
    if with_body:
        body = b"".join(bytes(entity[f"Body{i}"]) for i in range(int(entity["BodyChunks"])))
    return JournalEntry(
        delivery_id=entity["DeliveryId"],
        partner_id=entity["PartnerId"],
        received_at=entity["ReceivedAt"],
        sha256=entity["Sha256"],
        source=DeliverySource(entity["Source"]),
        status=JournalStatus(entity["Status"]),
        lead_id=entity.get("LeadId") or None,
        reason=entity.get("Reason") or None,
        attempts=int(entity.get("Attempts") or 0),
        processed_at=entity.get("ProcessedAt"),
        body=body,
        etag=entity.metadata.get("etag"),
    )


def _with_etag(entry: JournalEntry, result: Mapping[str, Any]) -> JournalEntry:
    return replace(entry, etag=result.get("etag"))
