"""A control for the sweep's time: the same writes, without the job.

Azurite keeps a table in one LokiJS collection: every insert and remove (an update is both)
adjusts its binary indices and shifts its data array entity by entity, so each write costs time
in proportion to the entities in the *table*, and more the earlier the entity was written: an
emulator cost that Table storage does not have (a partition batch costs the same however much
the table holds). Writing batches of the expiry's shape (update the lead, write the archived
listing copy and the dedup row, delete the active copy and the due row, create the outbox row)
and one queue message each, to rows seeded alongside the leads (so at the same places in
Azurite's arrays), with no query and no job code around them, measures that cost on its own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from azure.data.tables import TableClient, UpdateMode
from azure.storage.queue import QueueClient

PARTITION = "bench-control"


def control_rows(keys: Sequence[str], doc: str) -> list[dict[str, Any]]:
    """The rows the timed batches of `keys` update or delete: seed them with the leads."""
    return [_row(f"{kind}|{key}", doc) for key in keys for kind in ("L", "A", "E")]


def time_bare_writes(
    table: TableClient, queue: QueueClient, keys: Sequence[str], doc: str
) -> float:
    """Seconds for one expiry-shaped batch and one queue message per key."""
    began = time.perf_counter()
    for key in keys:
        table.submit_transaction(
            [
                ("update", _row(f"L|{key}", doc), {"mode": UpdateMode.REPLACE}),
                ("upsert", _row(f"Z|{key}", doc)),
                ("upsert", _row(f"D|{key}", "")),
                ("delete", {"PartitionKey": PARTITION, "RowKey": f"A|{key}"}),
                ("delete", {"PartitionKey": PARTITION, "RowKey": f"E|{key}"}),
                ("create", _row(f"O|{key}", "")),
            ]
        )
        queue.send_message(f'{{"control": "{key}"}}')
    return time.perf_counter() - began


def _row(row_key: str, doc: str) -> dict[str, Any]:
    return {"PartitionKey": PARTITION, "RowKey": row_key, "Doc0": doc}
