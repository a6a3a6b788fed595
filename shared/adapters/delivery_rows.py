"""How a delivery is laid out in the Deliveries table (see table_delivery_journal.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.adapters.lead_rows import newest_first
from shared.domain.intake_journal import (
    DeliverySource,
    JournalEntry,
    JournalStatus,
    journal_day,
    received_at_of,
)

SETTLED = "J|"
RECEIVED = "R|"
_BINARY_CHUNK = 64 * 1024  # the cap of an Edm.Binary property
SUMMARY = [
    "RowKey", "PartnerId", "Sha256", "Source", "Status", "LeadId", "Reason", "Attempts",
    "ProcessedAt", "BodyBytes",
]  # fmt: skip


def journal_keys(delivery_id: str) -> tuple[str, str]:
    """PartitionKey and the RowKey after the prefix (`<newest-first>|<id>`), from the id alone."""
    received_at = received_at_of(delivery_id)
    return journal_partition(received_at), f"{newest_first(received_at)}|{delivery_id}"


def journal_partition(instant: datetime) -> str:
    return journal_day(instant).isoformat()


def stored_row(entry: JournalEntry, prefix: str, *, relay_at: datetime | None) -> dict[str, Any]:
    """The row of `entry` under `prefix`. An outcome is stored only once there is one: the row
    is written on every acknowledgement, and each property costs the SDK and the service on that
    path. The key carries the delivery id, the id its arrival millisecond, and a row under `R|`
    is Received, and `entry_of` reads them from there. The columns that spell them out
    (DeliveryId, ReceivedAt, Status) are still written, so that the previous version, which reads
    only them, can run beside this one during a deployment or after a rollback; the next layout
    can drop them."""
    partition, key = journal_keys(entry.delivery_id)
    body = entry.body or b""
    chunks = [body[i : i + _BINARY_CHUNK] for i in range(0, len(body), _BINARY_CHUNK)]
    row: dict[str, Any] = {
        "PartitionKey": partition,
        "RowKey": f"{prefix}{key}",
        "PartnerId": entry.partner_id,
        "Sha256": entry.sha256,
        "Source": entry.source.value,
        "BodyBytes": len(body),
        "BodyChunks": len(chunks),
        "DeliveryId": entry.delivery_id,
        "ReceivedAt": entry.received_at,
        "Status": entry.status.value,
    }
    optional = {
        "LeadId": entry.lead_id,
        "Reason": entry.reason,
        "Attempts": entry.attempts,
        "ProcessedAt": entry.processed_at,
        "NextRelayAt": relay_at,  # a received row: when the relay should queue it again
    }
    row |= {name: value for name, value in optional.items() if value}
    return row | {f"Body{i}": chunk for i, chunk in enumerate(chunks)}


def delivery_id_of(row_key: str) -> str:
    """The delivery id at the end of a journal RowKey (`<prefix><newest-first>|<id>`)."""
    return row_key.rsplit("|", 1)[1]


def entry_of(entity: Any, *, with_body: bool = False) -> JournalEntry:
    body = None
    if with_body:
        body = b"".join(bytes(entity[f"Body{i}"]) for i in range(int(entity["BodyChunks"])))
    delivery_id = delivery_id_of(entity["RowKey"])
    received = entity["RowKey"].startswith(RECEIVED)
    return JournalEntry(
        delivery_id=delivery_id,
        partner_id=entity["PartnerId"],
        received_at=received_at_of(delivery_id),
        sha256=entity["Sha256"],
        source=DeliverySource(entity["Source"]),
        status=JournalStatus.RECEIVED if received else JournalStatus(entity["Status"]),
        lead_id=entity.get("LeadId") or None,
        reason=entity.get("Reason") or None,
        attempts=int(entity.get("Attempts") or 0),
        processed_at=entity.get("ProcessedAt"),
        body=body,
        etag=entity.metadata.get("etag"),
    )
