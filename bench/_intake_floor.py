"""A floor for intake throughput: the storage calls one new lead needs, and nothing else.

Each request does what `TableLeadRepository` and the publisher send for a new Contact-me lead,
through the same SDKs, from the same clients: a point read of the dedup row, one partition batch
(the lead, its listing copy, its dedup row, its expiry and reminder due rows, its outbox row) and
one queue message; or the least any design with a transactional outbox could send (the read, a
batch of the lead and its outbox row, the message). No HTTP, no parsing, no domain code. The CPU
those calls take (this process and Azurite) bounds what any implementation can reach on this
machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient
from azure.storage.queue import QueueClient

from bench._support import Throughput, contact_me_lead, hammer
from tests.support.azurite import Azurite

_PARTITION = "floor"
_FILTER_COLUMNS = 18  # the listing columns `lead_rows.lead_entity` writes beside the document


# What this app writes for a new Contact-me lead, and the least any design could: the lead alone
# (its id derived from the customer, so no dedup row) with its outbox row.
APP_BATCH = (("L", "A", "E", "R"), True)
MINIMAL_BATCH = (("L",), False)


def measure_storage_floor(
    azurite: Azurite,
    batch: tuple[tuple[str, ...], bool],
    *,
    clients: int,
    seconds: float,
    max_requests: int,
) -> Floor:
    """`batch`: the row kinds that carry the lead document, and whether a dedup row is added."""
    copies, dedup_row = batch
    table_name = f"benchfloor{uuid.uuid4().hex[:8]}"
    TableClient.from_connection_string(azurite.connection_string, table_name).create_table()
    queue_name = f"benchfloor{uuid.uuid4().hex[:8]}"
    QueueClient.from_connection_string(azurite.connection_string, queue_name).create_queue()
    tables = [
        TableClient.from_connection_string(azurite.connection_string, table_name)
        for _ in range(clients)
    ]
    queues = [
        QueueClient.from_connection_string(azurite.connection_string, queue_name)
        for _ in range(clients)
    ]

    def client(number: int) -> Callable[[int], None]:
        table, queue = tables[number], queues[number]

        def send(i: int) -> None:
            key = f"{number}-{i}"
            document = json.dumps(contact_me_lead(f"c{key}"))
            with contextlib.suppress(ResourceNotFoundError):  # a new customer: no dedup row
                table.get_entity(_PARTITION, f"D|{key}")
            outbox = {"PartitionKey": _PARTITION, "RowKey": f"O|{key}", "M": document}
            rows = [_copy(f"{kind}|{key}", document) for kind in copies]
            if dedup_row:
                rows.append({"PartitionKey": _PARTITION, "RowKey": f"D|{key}", "LeadId": key})
            table.submit_transaction([("create", row) for row in (*rows, outbox)])
            queue.send_message(document)

        return send

    try:
        cpu_before = cpu_seconds(azurite)
        throughput = hammer(
            [client(n) for n in range(clients)], seconds=seconds, max_requests=max_requests
        )
        cpu_ms = (cpu_seconds(azurite) - cpu_before) * 1000 / max(1, throughput.requests)
        return Floor(throughput, cpu_ms)
    finally:
        for table in tables:
            table.close()
        for queue in queues:
            queue.close()


@dataclass(frozen=True)
class Floor:
    throughput: Throughput
    cpu_ms_per_request: float  # this process and Azurite together, warm-ups included

    def ceiling(self, cores: int) -> float:
        """Requests/s if every core did nothing but these calls."""
        return cores * 1000 / self.cpu_ms_per_request


def cpu_seconds(azurite: Azurite) -> float:
    """CPU time of this process and of Azurite's process tree so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = time.process_time()
    for pid in _tree(azurite.process.pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [pid]
    with contextlib.suppress(OSError):
        for child in children.read_text().split():
            found += _tree(int(child))
    return found


def _copy(row_key: str, document: str) -> dict[str, Any]:
    columns = {f"Column{index}": "value" for index in range(_FILTER_COLUMNS)}
    return {"PartitionKey": _PARTITION, "RowKey": row_key, "Doc0": document, **columns}
