"""How the event log lies in its partner's partition of the Leads table (lead_rows.py, `T|`).

    T|<logged-at>|<eventId>    one CloudEvent, appended in the batch of the change it tells

`<logged-at>` is the writer's clock just before it sends the batch, so keys sort in log order;
`<eventId>` (32 hex digits, the CloudEvent's `id`) makes each key unique. A reader's cursor is
the key without its prefix. Why a late commit cannot slip behind a reader: table_event_log.py.

The customer's contact (the fields `Customer.without_contact` clears) is kept apart, in
`Contact<n>` columns, and put back into `data.customer` when read: when the lead expires or
ages out, the batch that removes the contact from the lead blanks those columns in each earlier
event of the lead (`scrub_operation`, a merge: no read), so no row keeps it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from azure.data.tables import UpdateMode

from shared.adapters import lead_rows as rows
from shared.domain.errors import FieldError, InvalidInput
from shared.services.event_ports import LeadChangeEvent, StoredEvent

EVENT_LOG = "T|"
CONTACT_FIELDS = ("firstName", "lastName", "email", "phone", "title")
# Chunks of 15,000 characters: more than any request body the app accepts (MAX_BODY_BYTES).
_CONTACT_CHUNKS = 20
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
    cloud_event, contact = _without_contact(event.cloud_event)
    return (
        {
            "PartitionKey": partner_id,
            "RowKey": event_key(logged_at, event.event_id),
            "EventId": event.event_id,
            "Type": event.event_type,
            "LeadId": event.lead_id,
        }
        | rows.chunked("Event", _json(cloud_event))
        | (rows.chunked("Contact", _json(contact)) if contact else {"ContactChunks": 0})
    )


def scrub_operation(partner_id: str, row_key: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Blank an event's contact columns. An upsert, so an event pruned meanwhile cannot fail the
    batch; what it leaves then (a row with no event) readers skip and the next prune deletes."""
    row = {"PartitionKey": partner_id, "RowKey": row_key} | _no_contact()
    return ("upsert", row, {"mode": UpdateMode.MERGE})


def stored_event(entity: Any) -> StoredEvent | None:
    """The event of a row, its contact put back; None for what a scrub left of a pruned one."""
    if "EventChunks" not in entity:
        return None
    cloud_event = json.loads(rows.unchunked(entity, "Event"))
    if entity.get("ContactChunks"):
        contact = json.loads(rows.unchunked(entity, "Contact"))
        cloud_event["data"]["customer"].update(contact)
    return StoredEvent(cursor=cursor_of(entity["RowKey"]), cloud_event=cloud_event)


def _without_contact(cloud_event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    data = cloud_event.get("data")
    customer = data.get("customer") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(customer, dict):
        return cloud_event, {}
    contact = {name: customer[name] for name in CONTACT_FIELDS if customer.get(name) is not None}
    blanked = {**customer, **dict.fromkeys(contact)}
    return {**cloud_event, "data": {**data, "customer": blanked}}, contact


def _no_contact() -> dict[str, Any]:
    return {"ContactChunks": 0} | {f"Contact{i}": "" for i in range(_CONTACT_CHUNKS)}


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
