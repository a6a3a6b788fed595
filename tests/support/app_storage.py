"""Look at what the app under test stored, through the real SDKs and our own adapters."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableServiceClient
from azure.storage.queue import BinaryBase64DecodePolicy, QueueClient

from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.lead import Lead


class AppStorage:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._connection = env["AzureWebJobsStorage"]
        self._prefix = env.get("STORAGE_PREFIX", "")
        self.notifications_queue = env["NOTIFICATIONS_QUEUE"]
        self._tables = TableServiceClient.from_connection_string(self._connection)

    def rows(self, table: str, partner_id: str) -> list[Any]:
        """The partner's rows; none while the app has not created the table yet (it does on
        first use, which may still be on its way through a queue)."""
        client = self._tables.get_table_client(f"{self._prefix}{table}")
        try:
            return list(client.query_entities("PartitionKey eq @p", parameters={"p": partner_id}))
        except ResourceNotFoundError:
            return []

    def deliveries(self, partner_id: str) -> list[Any]:
        """The partner's journaled marketplace deliveries (the journal is partitioned by day)."""
        client = self._tables.get_table_client(f"{self._prefix}Deliveries")
        rows = client.query_entities("PartnerId eq @p", parameters={"p": partner_id})
        return [row for row in rows if row["RowKey"][:2] in ("R|", "J|")]

    def leads(self, partner_id: str) -> list[Lead]:
        repository = TableLeadRepository(self._tables.get_table_client(f"{self._prefix}Leads"))
        return [
            repository.get(partner_id, row["LeadId"])
            for row in self.rows("Leads", partner_id)
            if row["RowKey"].startswith("L|")
        ]

    def notifications_for(self, partner_id: str) -> list[dict[str, Any]]:
        """The notification messages queued for one partner, decoded, left on the queue.

        Peek shows at most 32 messages, so this receives them all with a short invisibility
        instead; each test uses its own partner, so the partner filter isolates tests.
        """
        client = QueueClient.from_connection_string(
            self._connection,
            self.notifications_queue,
            message_decode_policy=BinaryBase64DecodePolicy(),
        )
        if not client.queue_name or not _exists(client):
            return []
        found = []
        for message in client.receive_messages(messages_per_page=32, visibility_timeout=5):
            body = json.loads(message.content)
            if body.get("partnerId") == partner_id:
                found.append(body)
        return found


def _exists(client: QueueClient) -> bool:
    try:
        client.get_queue_properties()
    except ResourceNotFoundError:
        return False
    return True
