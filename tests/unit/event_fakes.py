"""An in-memory event log with the Table adapter's contract (tests/integration/
test_event_log_contract.py runs the same cases against both): keys stamped by the writer's
clock, served only once older than the settle window, a page examining at most 2 x its size."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.adapters import event_rows
from shared.services.event_ports import EventPage, LeadChangeEvent, StoredEvent
from shared.services.ports import Clock


@dataclass
class InMemoryEventLog:
    clock: Clock
    settle: timedelta = timedelta(0)
    # Per partner: sorted RowKeys and the event under each.
    keys: dict[str, list[str]] = field(default_factory=dict)
    events: dict[str, dict[str, LeadChangeEvent]] = field(default_factory=dict)
    examined: int = 0  # entities the last read looked at

    def append(
        self,
        partner_id: str,
        events: Sequence[LeadChangeEvent],
        *,
        logged_at: datetime | None = None,
    ) -> None:
        """As a change's batch appends its events, stamped `logged_at` (default: now)."""
        logged_at = logged_at or self.clock.now()
        for event in events:
            key = event_rows.event_key(logged_at, event.event_id)
            bisect.insort(self.keys.setdefault(partner_id, []), key)
            self.events.setdefault(partner_id, {})[key] = event

    def read_after(
        self,
        partner_id: str,
        after: str | None,
        *,
        types: frozenset[str] | None = None,
        limit: int = 100,
    ) -> EventPage:
        start = event_rows.row_key_of(after) if after else event_rows.EVENT_LOG
        horizon = event_rows.settled_before(self.clock.now() - self.settle)
        keys = self.keys.get(partner_id, [])
        budget = limit + 1 if types is None else 2 * limit
        first = bisect.bisect_right(keys, start)
        window = [key for key in keys[first : first + budget] if key < horizon]
        self.examined = len(window)
        page: list[StoredEvent] = []
        last: str | None = None
        more = len(window) == budget
        for key in window:
            if len(page) == limit:
                more = True
                break
            last = key
            event = self.events[partner_id][key]
            if types is None or event.event_type in types:
                page.append(StoredEvent(event_rows.cursor_of(key), event.cloud_event))
        cursor = event_rows.cursor_of(last) if last else after
        return EventPage(events=page, next_cursor=cursor, has_more=more)

    def prune(self, partner_id: str, before: datetime, *, limit: int) -> int:
        keys = self.keys.get(partner_id, [])
        end = event_rows.settled_before(before)
        gone = [key for key in keys if key < end][:limit]
        for key in gone:
            keys.remove(key)
            del self.events[partner_id][key]
        return len(gone)
