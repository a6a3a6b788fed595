"""Leads held for the daily digest (lead_rows.py, `H|<day>|<leadId>`): the send-digests side.

The notifier writes the held rows; a digest job lists the days that are over and turns each
day's rows into `DailyDigest` notifications with `release`, which writes the digest's outbox
row and deletes the rows it carries in one batch: a held lead ends up in exactly one digest.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from azure.data.tables import TableClient

from shared.adapters import lead_rows as rows
from shared.adapters.storage_errors import submit_batch, translate_storage_errors
from shared.adapters.table_lead_repository import _outbox_entity  # the one outbox row shape
from shared.adapters.table_send_ledger import held_key
from shared.domain.delivery import HeldLead
from shared.domain.notification import Notification, NotificationKind


class TableDigestHolds:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def held(self, partner_id: str, *, through: date) -> list[HeldLead]:
        """Held leads of every day up to and including `through`, oldest day first."""
        query = "PartitionKey eq @partner and RowKey ge @start and RowKey lt @end"
        parameters = {
            "partner": partner_id,
            "start": rows.HELD,
            "end": f"{rows.HELD}{through.isoformat()}{chr(ord('|') + 1)}",
        }
        with translate_storage_errors():
            entities = self._table.query_entities(
                query, parameters=parameters, select=["Day", "LeadId"]
            )
            return [
                HeldLead(day=date.fromisoformat(e["Day"]), lead_id=e["LeadId"]) for e in entities
            ]

    def release(self, digest: Notification) -> None:
        """Owe `digest` (outbox row) and forget the held rows it carries, all or nothing.

        `ConcurrentModification` if another run released some of them first: list again.
        """
        if digest.kind is not NotificationKind.DAILY_DIGEST or digest.digest_day is None:
            raise ValueError("release takes a DailyDigest notification")
        partner, day = digest.partner_id, digest.digest_day
        operations: list[tuple[str, dict[str, Any]]] = [("create", _outbox_entity(digest))]
        operations += [
            ("delete", {"PartitionKey": partner, "RowKey": held_key(HeldLead(day, lead_id))})
            for lead_id in digest.lead_ids
        ]
        submit_batch(self._table, operations, lost_race="Held leads were released meanwhile.")
