"""A partner's due leads, read from the due-index rows of its partition (lead_rows.py).

One range query `E|` … `E|<through>` (or G, R) returns the due leads themselves, since due rows
are copies of the lead: the cost follows the leads due, not the leads stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime

from azure.data.tables import TableClient, TableEntity

from shared.adapters import lead_rows as rows
from shared.adapters.lead_batches import Guard
from shared.adapters.storage_errors import translate_storage_errors
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.errors import NotFound
from shared.domain.lead import Lead
from shared.domain.notification import Notification
from shared.services.event_ports import LeadChangeEvent
from shared.services.job_ports import DueKind, DueLead

PREFIXES = {
    DueKind.EXPIRY: rows.EXPIRY_DUE,
    DueKind.AGING: rows.AGING_DUE,
    DueKind.REMINDER: rows.REMINDER_DUE,
}


def due_range(kind: DueKind, *, since: datetime | None, through: datetime) -> tuple[str, str]:
    """[start, end) of the RowKeys `<prefix><instant>|<leadId>` with since <= instant <= through."""
    prefix = PREFIXES[kind]
    start = f"{prefix}{rows.instant_key(since)}" if since else prefix
    return start, rows.key_after(f"{prefix}{rows.instant_key(through)}|")


class TableDueLeads:
    def __init__(self, table: TableClient, leads: TableLeadRepository) -> None:
        self._table = table
        self._leads = leads

    def due(
        self, partner_id: str, kind: DueKind, *, since: datetime | None, through: datetime
    ) -> Iterator[DueLead]:
        start, end = due_range(kind, since=since, through=through)
        query = "PartitionKey eq @partner and RowKey ge @start and RowKey lt @end"
        parameters = {"partner": partner_id, "start": start, "end": end}
        with translate_storage_errors():
            # Paged lazily: the caller's writes delete rows behind the continuation, never ahead.
            for entity in self._table.query_entities(query, parameters=parameters):
                item = self._item(entity)
                if item is not None:
                    yield item

    def commit(
        self,
        item: DueLead,
        *,
        outbox: Sequence[Notification],
        events: Sequence[LeadChangeEvent] = (),
    ) -> Lead:
        guard = Guard(item.row_key, item.etag) if item.etag is not None else None
        return self._leads.save(item.lead, outbox=outbox, guard=guard, events=events)

    def _item(self, entity: TableEntity) -> DueLead | None:
        row_key: str = entity["RowKey"]
        if "DocChunks" in entity:
            lead = rows.lead_from_entity(entity)
            lead.etag = None  # the copy's ETag versions the lead: the Guard carries it
            lead.remember_index_keys(tuple(json.loads(entity["IndexKeys"])))
            lead.remember_event_keys(tuple(json.loads(entity.get("EventKeys") or "[]")))
            return DueLead(lead=lead, row_key=row_key, etag=entity.metadata.get("etag"))
        # A thin row, written before due rows were copies: read the lead row itself.
        try:
            lead = self._leads.get(entity["PartitionKey"], entity["LeadId"])
        except NotFound:
            return None
        return DueLead(lead=lead, row_key=row_key, etag=None)
