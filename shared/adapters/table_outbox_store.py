"""The outbox rows of each partner's partition: notifications owed and not yet delivered."""

from __future__ import annotations

import contextlib
from datetime import datetime

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters import lead_rows as rows
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.notification import Notification
from shared.services.ports import OutboxEntry


class TableOutboxStore:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def pending(self, partner_id: str, due_by: datetime) -> list[OutboxEntry]:
        query = (
            "PartitionKey eq @partner and RowKey ge @start and RowKey lt @end "
            "and NextRelayAt le @due"
        )
        parameters = {
            "partner": partner_id,
            "start": rows.OUTBOX,
            "end": rows.key_after(rows.OUTBOX),
            "due": due_by,
        }
        with translate_storage_errors():
            entities = self._table.query_entities(query, parameters=parameters)
            return [
                OutboxEntry(
                    notification=Notification.model_validate_json(entity["Message"]),
                    attempts=int(entity["Attempts"]),
                    next_relay_at=entity["NextRelayAt"],
                    etag=entity.metadata.get("etag"),
                )
                for entity in entities
            ]

    def reschedule(self, entry: OutboxEntry, next_relay_at: datetime) -> None:
        notification = entry.notification
        # Gone or changed: delivered meanwhile, or relayed by a concurrent run. Nothing to do.
        already_handled = contextlib.suppress(ResourceModifiedError, ResourceNotFoundError)
        with translate_storage_errors(), already_handled:
            self._table.update_entity(
                {
                    "PartitionKey": notification.partner_id,
                    "RowKey": f"{rows.OUTBOX}{notification.id}",
                    "Attempts": entry.attempts + 1,
                    "NextRelayAt": next_relay_at,
                },
                mode=UpdateMode.MERGE,
                etag=entry.etag,
                match_condition=MatchConditions.IfNotModified,
            )

    def complete(self, partner_id: str, notification_id: str) -> None:
        """The notification was handled: it is owed no more."""
        with translate_storage_errors():
            self._table.delete_entity(partner_id, f"{rows.OUTBOX}{notification_id}")
