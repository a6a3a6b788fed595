"""Wait for a marketplace delivery to be processed: the webhook answers once it is journaled,
and the queue-triggered processing lands it a moment later. Reads the operators' journal route."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import requests
from azure.data.tables import TableServiceClient

from shared.adapters.table_delivery_journal import TableDeliveryJournal
from shared.domain.intake_journal import JournalEntry, new_delivery_id
from tests.support.auth import bearer

LANDED = {"Created", "StageAdded", "Duplicate", "Test"}


def settled_delivery(
    http: requests.Session, api: str, delivery_id: str, timeout: float = 30.0
) -> dict[str, Any]:
    """The journal entry once processing recorded an outcome (any outcome)."""
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(f"{api}/ops/deliveries/{delivery_id}", headers=bearer("Leads.Operator"))
        assert response.status_code == 200, response.text
        entry: dict[str, Any] = response.json()
        if entry["status"] != "Received":
            return entry
        assert time.monotonic() < deadline, f"delivery {delivery_id} still unprocessed: {entry}"
        time.sleep(0.05)


def deliver_and_land(http: requests.Session, api: str, intake_url: str, body: Any) -> str:
    """Post a delivery, wait until it landed, answer its lead id."""
    response = http.post(intake_url, json=body)
    assert response.status_code == 200, response.text
    entry = settled_delivery(http, api, response.json()["deliveryId"])
    assert entry["status"] in LANDED, entry
    lead_id: str = entry["leadId"]
    return lead_id


def journaled(env: Mapping[str, str], partner_id: str, body: Any, *, relay_at: datetime) -> str:
    """A delivery journaled as the webhook journals it, whose queue message never came (the
    relay's first look at `relay_at`); answers its id."""
    received_at = datetime.now(UTC)
    raw = json.dumps(body).encode()
    entry = JournalEntry(
        delivery_id=new_delivery_id(received_at),
        partner_id=partner_id,
        received_at=received_at,
        sha256=hashlib.sha256(raw).hexdigest(),
        body=raw,
    )
    tables = TableServiceClient.from_connection_string(env["AzureWebJobsStorage"])
    # The app makes its journal table on its first delivery, which this host may not have had.
    table = tables.create_table_if_not_exists(f"{env['STORAGE_PREFIX']}Deliveries")
    TableDeliveryJournal(table).record(entry, relay_at=relay_at)
    return entry.delivery_id
