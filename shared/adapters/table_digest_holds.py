"""Leads held for the daily digest (lead_rows.py, `H|<day>|<leadId>`): the send-digests side.

The notifier writes the held rows. A digest of a whole day can carry more leads than one batch
can delete (100 operations), so each partner-day has a release record, `V|<day>`:

- `day` reads the record, then lists the day's held rows. If the record still names ids (a run
  crashed between the batches of a release), those rows are deleted first and left out.
- `release` writes, in ONE batch, the digest's outbox row, the record (created, or replaced on
  condition of the version `day` read) naming the ids whose rows are still to delete, and the
  first deletions; then deletes the rest and clears the record's ids, again under its ETag.

A run that listed a day before another released it fails on the record's ETag and lists again;
a run that lists it afterwards finds the rows gone or named by the record. So each held lead is
in exactly one digest, however runs overlap or crash.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, TableTransactionError

from shared.adapters import lead_rows as rows
from shared.adapters.lead_batches import Operation, if_match, outbox_entity
from shared.adapters.storage_errors import submit_batch, translate_storage_errors
from shared.adapters.table_send_ledger import held_key
from shared.domain.delivery import HeldDay, HeldLead
from shared.domain.errors import ConcurrentModification
from shared.domain.notification import Notification, NotificationKind

_BATCH = 100  # operations in one entity-group transaction
_LOST_RACE = "The day's held leads were released meanwhile."


class TableDigestHolds:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def held(self, partner_id: str, *, through: date) -> list[HeldLead]:
        """Held leads of every day up to and including `through`, oldest day first."""
        end = f"{rows.HELD}{through.isoformat()}{chr(ord('|') + 1)}"
        return [
            HeldLead(day=date.fromisoformat(e["Day"]), lead_id=e["LeadId"])
            for e in self._range(partner_id, rows.HELD, end)
        ]

    def day(self, partner_id: str, day: date) -> HeldDay:
        version: str | None = None
        record = self._record(partner_id, day)
        if record is not None:
            version, unfinished = record
            if unfinished:
                version = self._finish(partner_id, day, unfinished, version)
        prefix = f"{rows.HELD}{day.isoformat()}|"
        ids = tuple(e["LeadId"] for e in self._range(partner_id, prefix, rows.key_after(prefix)))
        return HeldDay(day=day, lead_ids=ids, version=version)

    def release(self, digest: Notification, version: str | None) -> str | None:
        if digest.kind is not NotificationKind.DAILY_DIGEST or digest.digest_day is None:
            raise ValueError("release takes a DailyDigest notification")
        partner, day = digest.partner_id, digest.digest_day
        room = _BATCH - 2  # the outbox row and the release record
        first, rest = digest.lead_ids[:room], digest.lead_ids[room:]
        record = _record_entity(partner, day, rest)
        claim: Operation = (
            ("create", record) if version is None else ("update", record, if_match(version))
        )
        operations = [claim, ("create", outbox_entity(digest)), *_deletions(partner, day, first)]
        results = submit_batch(self._table, operations, lost_race=_LOST_RACE)
        new_version = str(results[0]["etag"])
        if not rest:
            return new_version
        try:
            return self._finish(partner, day, rest, new_version)
        except ConcurrentModification:
            return None  # committed; another run finished our deletions (or more) meanwhile

    def waiting_order(self, partner_id: str) -> list[str]:
        # `E|<respondBy>|<leadId>` rows exist exactly for leads awaiting a response (lead_rows.py)
        # and sort by respondBy, then id.
        query = "PartitionKey eq @partner and RowKey ge @start and RowKey lt @end"
        parameters = {
            "partner": partner_id,
            "start": rows.EXPIRY_DUE,
            "end": rows.key_after(rows.EXPIRY_DUE),
        }
        with translate_storage_errors():
            found = self._table.query_entities(query, parameters=parameters, select=["RowKey"])
            return [entity["RowKey"].rsplit("|", 1)[1] for entity in found]

    def _finish(self, partner: str, day: date, ids: Sequence[str], version: str) -> str:
        """Delete the held rows a release named, then clear its ids: the record's new version."""
        for start in range(0, len(ids), _BATCH):
            self._delete_held(partner, day, ids[start : start + _BATCH])
        cleared: Operation = ("update", _record_entity(partner, day, ()), if_match(version))
        results = submit_batch(self._table, [cleared], lost_race=_LOST_RACE)
        return str(results[0]["etag"])

    def _delete_held(self, partner: str, day: date, ids: Sequence[str]) -> None:
        deletions = _deletions(partner, day, ids)
        with translate_storage_errors():
            try:
                self._table.submit_transaction(deletions)
            except TableTransactionError:  # some are gone already: another run is finishing too
                for _, key in deletions:
                    self._table.delete_entity(key["PartitionKey"], key["RowKey"])  # 404 is fine

    def _record(self, partner: str, day: date) -> tuple[str, tuple[str, ...]] | None:
        """The release record's version and the ids it still names, if the day has one."""
        with translate_storage_errors():
            try:
                entity = self._table.get_entity(partner, _record_key(day))
            except ResourceNotFoundError:
                return None
        return str(entity.metadata["etag"]), tuple(json.loads(rows.unchunked(entity, "Ids")))

    def _range(self, partner: str, start: str, end: str) -> list[Any]:
        query = "PartitionKey eq @partner and RowKey ge @start and RowKey lt @end"
        parameters = {"partner": partner, "start": start, "end": end}
        with translate_storage_errors():
            found = self._table.query_entities(
                query, parameters=parameters, select=["Day", "LeadId"]
            )
            return list(found)


def _record_key(day: date) -> str:
    return f"{rows.DIGEST_RELEASE}{day.isoformat()}"


def _record_entity(partner: str, day: date, unfinished: Sequence[str]) -> dict[str, Any]:
    return {
        "PartitionKey": partner,
        "RowKey": _record_key(day),
        **rows.chunked("Ids", json.dumps(list(unfinished))),
    }


def _deletions(partner: str, day: date, ids: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("delete", {"PartitionKey": partner, "RowKey": held_key(HeldLead(day, lead_id))})
        for lead_id in ids
    ]
