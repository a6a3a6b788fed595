"""The partner's event log as its readers see it: the change feed and the webhook dispatcher.

Every change of a lead appends one CloudEvents 1.0 event to its partner's log in the batch that
writes the change. Readers walk the log oldest first from an opaque cursor and never see an
event twice or miss one, so a consumer that stores the last cursor it processed resumes exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

EVENT_TYPE_PREFIX = "com.partnerleads.lead."

# The kinds of change a lead goes through, each the suffix of its CloudEvents `type`.
LEAD_EVENT_KINDS: tuple[str, ...] = (
    "received",
    "stageAdded",
    "assigned",
    "accepted",
    "updated",
    "teamChanged",
    "declined",
    "won",
    "lost",
    "expired",
    "agedOut",
    "reminderDue",
)
LEAD_EVENT_TYPES: frozenset[str] = frozenset(EVENT_TYPE_PREFIX + kind for kind in LEAD_EVENT_KINDS)
PING_EVENT_TYPE = "com.partnerleads.webhook.ping"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event of the log: where it sits (`cursor`) and the structured-mode CloudEvent JSON."""

    cursor: str
    cloud_event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[StoredEvent]
    # Where the next read starts: the last event's cursor, or the `after` given when the page is
    # empty, so a poller can always store it and call again. With `types`, a page examines at
    # most twice `limit` events, so it may end past events of other types it skipped (still
    # exact: none of `types` lies between).
    next_cursor: str | None
    has_more: bool


class EventFeed(Protocol):
    def read_after(
        self,
        partner_id: str,
        after: str | None,
        *,
        types: frozenset[str] | None = None,
        limit: int = 100,
    ) -> EventPage:
        """The partner's events after `after` (None: from the start), oldest first, at most
        `limit`, only of `types` when given. Only events older than the settle window are
        served (table_event_log.py), so a cursor never passes one still to be committed; a page
        may be empty while `has_more` is true (with `types`). `InvalidInput` naming `after` for
        a cursor the log never gave out."""
        ...


@dataclass(frozen=True, slots=True)
class LeadChangeEvent:
    """An event to append to the log in the batch that writes its change (`LeadRepository.save`
    and friends take them): the log, not its writer, gives it its place (`StoredEvent.cursor`)."""

    event_id: str
    event_type: str
    lead_id: str
    cloud_event: dict[str, Any]


class EventLogPruner(Protocol):
    def prune(self, partner_id: str, before: datetime, *, limit: int) -> int:
        """Delete up to `limit` of the partner's events logged before `before`, oldest first;
        answers how many went (fewer than `limit`: none older is left)."""
        ...
