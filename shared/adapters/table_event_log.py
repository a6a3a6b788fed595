"""A partner's event log (event_rows.py, `T|<logged-at>|<eventId>`): read oldest first, pruned.

**Why a reader never misses a late commit.** A key is stamped from the writer's clock before
its batch is sent, so two writers can commit out of key order: A stamps 10:00:00.100, B stamps
.200 and commits first; a reader that served B and moved its cursor past .200 would never see
A. So a reader serves only *settled* keys, older than `settle` (`EVENT_FEED_SETTLE_SECONDS`),
and writers make sure no batch commits later than that after its stamp
(`TableLeadRepository`: the stamp is taken just before the send, and the SDK gets
`EVENT_WRITE_DEADLINE_SECONDS` for every try and back-off together, so no try is *sent* later
than that; Table storage ends an insert, update or delete within its 30 s server timeout,
"Setting timeouts for Table service operations"). The settle window covers the deadline, the
server's 30 s and clock skew between instances: with the defaults 10 + 30 + 20 = 60 s. Below
the horizon the log no longer changes, so a cursor there is final: no gap, no repeat.

**What a page costs.** One key-range query from the cursor to the horizon, reading at most
`limit + 1` entities, or `2 * limit` with `types` (filtered here, not by a column condition,
which would make storage examine every event of other types in between): a page examines at
most twice its size whatever the log's length. A filtered page may come back short, or empty,
with `has_more`: its cursor is past the events it skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice

from azure.data.tables import TableClient

from shared.adapters import event_rows
from shared.adapters.storage_errors import submit_batch, translate_storage_errors
from shared.domain.errors import ConcurrentModification
from shared.services.event_ports import EventPage, StoredEvent
from shared.services.ports import Clock

_BATCH = 100  # a batch's cap on operations


class TableEventLog:
    def __init__(self, table: TableClient, *, clock: Clock, settle: timedelta) -> None:
        self._table = table
        self._clock = clock
        self._settle = settle

    def read_after(
        self,
        partner_id: str,
        after: str | None,
        *,
        types: frozenset[str] | None = None,
        limit: int = 100,
    ) -> EventPage:
        start = event_rows.row_key_of(after) if after else event_rows.EVENT_LOG
        horizon = event_rows.settled_before(self._clock.now() - self._settle)
        budget = limit + 1 if types is None else 2 * limit
        query = "PartitionKey eq @partner and RowKey gt @start and RowKey lt @horizon"
        parameters = {"partner": partner_id, "start": start, "horizon": horizon}
        with translate_storage_errors():
            entities = list(
                islice(
                    self._table.query_entities(
                        query, parameters=parameters, results_per_page=budget
                    ),
                    budget,
                )
            )
        events: list[StoredEvent] = []
        last_key: str | None = None
        has_more = len(entities) == budget
        for entity in entities:
            if len(events) == limit:
                has_more = True
                break
            last_key = entity["RowKey"]
            if types is None or entity.get("Type") in types:
                stored = event_rows.stored_event(entity)
                if stored is not None:
                    events.append(stored)
        cursor = event_rows.cursor_of(last_key) if last_key else after
        return EventPage(events=events, next_cursor=cursor, has_more=has_more)

    def prune(self, partner_id: str, before: datetime, *, limit: int) -> int:
        query = "PartitionKey eq @partner and RowKey ge @start and RowKey lt @end"
        parameters = {
            "partner": partner_id,
            "start": event_rows.EVENT_LOG,
            "end": event_rows.settled_before(before),
        }
        with translate_storage_errors():
            keys = [
                entity["RowKey"]
                for entity in islice(
                    self._table.query_entities(
                        query, parameters=parameters, select=["RowKey"], results_per_page=limit
                    ),
                    limit,
                )
            ]
        pruned = 0
        for first in range(0, len(keys), _BATCH):
            chunk = keys[first : first + _BATCH]
            operations = [("delete", {"PartitionKey": partner_id, "RowKey": key}) for key in chunk]
            try:
                submit_batch(self._table, operations, lost_race="Pruned meanwhile.")
            except ConcurrentModification:
                continue  # another run pruned (some of) these: what is left goes next time
            pruned += len(chunk)
        return pruned
