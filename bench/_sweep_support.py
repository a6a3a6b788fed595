"""The expiry benchmark's instruments: recording wrappers of our own ports (the due store, the
partner directory, the lead repository) that count, at each call, the entities inside the key
range its storage query spans, whatever the query returns: Table storage reads all of them,
Azurite hides the cost.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from azure.data.tables import TableClient

from shared.adapters.table_due_leads import due_range
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.lead import Lead
from shared.domain.notification import Notification
from shared.services.event_ports import LeadChangeEvent
from shared.services.job_ports import DueKind, DueLead, DueLeadStore
from shared.services.ports import PartnerDirectory


@dataclass
class Examined:
    """Entities inside the key ranges the job's queries spanned, by port; and the seconds spent
    counting them (left out of the sweep's time)."""

    partners: int = 0
    due_rows: int = 0
    lead_reads: int = 0
    queries: int = 0
    counting_seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.partners + self.due_rows + self.lead_reads

    def count(self, table: TableClient, query: str, parameters: dict[str, Any]) -> int:
        began = time.perf_counter()
        found = sum(
            1 for _ in table.query_entities(query, parameters=parameters, select=["RowKey"])
        )
        self.counting_seconds += time.perf_counter() - began
        self.queries += 1
        return found


@dataclass
class RecordingDirectory:
    """`partner_ids()` filters on RowKey alone: its range is the whole Partners table."""

    inner: PartnerDirectory
    table: TableClient
    examined: Examined

    def partner_ids(self) -> Iterator[str]:
        self.examined.partners += self.examined.count(self.table, "PartitionKey ge ''", {})
        return self.inner.partner_ids()


@dataclass
class RecordingDueLeads:
    inner: DueLeadStore
    table: TableClient
    examined: Examined
    ranges: list[tuple[str, str, str]] = field(default_factory=list)

    def due(
        self, partner_id: str, kind: DueKind, *, since: datetime | None, through: datetime
    ) -> Iterator[DueLead]:
        start, end = due_range(kind, since=since, through=through)
        self.ranges.append((partner_id, start, end))
        query = "PartitionKey eq @p and RowKey ge @start and RowKey lt @end"
        parameters = {"p": partner_id, "start": start, "end": end}
        self.examined.due_rows += self.examined.count(self.table, query, parameters)
        return self.inner.due(partner_id, kind, since=since, through=through)

    def commit(
        self,
        item: DueLead,
        *,
        outbox: Sequence[Notification],
        events: Sequence[LeadChangeEvent] = (),
    ) -> Lead:
        return self.inner.commit(item, outbox=outbox, events=events)


class RecordingLeads(TableLeadRepository):
    """The repository, with each point read counted as one examined entity."""

    def __init__(self, table: TableClient, examined: Examined) -> None:
        super().__init__(table)
        self._examined = examined

    def get(self, partner_id: str, lead_id: str) -> Lead:
        self._examined.lead_reads += 1
        return super().get(partner_id, lead_id)
