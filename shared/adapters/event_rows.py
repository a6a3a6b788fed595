"""How the event log lies in its partner's partition of the Leads table (lead_rows.py, `T|`).

    T|<logged-at>|<eventId>    one CloudEvent, appended in the batch of the change it tells

`<logged-at>` is the writer's clock just before it sends the batch, so keys sort in log order;
`<eventId>` (32 hex digits, the CloudEvent's `id`) makes each key unique. A reader's cursor is
the key without its prefix. Why a late commit cannot slip behind a reader: table_event_log.py.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from shared.adapters import lead_rows as rows
from shared.domain.errors import FieldError, InvalidInput
from shared.services.event_ports import LeadChangeEvent, StoredEvent

EVENT_LOG = "T|"
_CURSOR = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\|[0-9a-f]{32}", re.ASCII)


def event_key(logged_at: datetime, event_id: str) -> str:
    return f"{EVENT_LOG}{rows.instant_key(logged_at)}|{event_id}"


def settled_before(instant: datetime) -> str:
    """The first key at or past `instant`: every key below it was logged earlier."""
    return f"{EVENT_LOG}{rows.instant_key(instant)}"


def cursor_of(row_key: str) -> str:
    return row_key.removeprefix(EVENT_LOG)


def row_key_of(cursor: str) -> str:
    """The key a cursor stands for; a 400 naming `after` for anything the log never gave out."""
    if not _CURSOR.fullmatch(cursor):
        raise InvalidInput(
            "The cursor is not one this log gave out.",
            [FieldError("after", "cursor is not one this log gave out")],
        )
    return f"{EVENT_LOG}{cursor}"


def event_entity(partner_id: str, event: LeadChangeEvent, logged_at: datetime) -> dict[str, Any]:
    return {
        "PartitionKey": partner_id,
        "RowKey": event_key(logged_at, event.event_id),
        "EventId": event.event_id,
        "Type": event.event_type,
        "LeadId": event.lead_id,
    } | rows.chunked("Event", json.dumps(event.cloud_event, separators=(",", ":")))


def stored_event(entity: Any) -> StoredEvent:
    return StoredEvent(
        cursor=cursor_of(entity["RowKey"]), cloud_event=json.loads(rows.unchunked(entity, "Event"))
    )
