"""The webhook delivery log: PartitionKey = partner, RowKey = `<subscriptionId>|<deliveryId>`.

A delivery id sorts newest first by its event's time (`shared.domain.webhooks.delivery_id`), so
a subscription's recent deliveries are one key range read from its start, and "Failed since T"
is the range down to T's bound. Each row keeps its event (JSON in chunked columns, as lead rows
do), so a replay sends exactly what was due even after the event log moved on.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters.lead_rows import chunked, key_after, unchunked
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.errors import InvalidInput
from shared.domain.webhooks import DeliveryState, delivery_id, newest_first_bound
from shared.services.webhook_ports import DeliveryRecord

_EVENT = "Event"


def _row_key(subscription_id: str, delivery: str) -> str:
    return f"{subscription_id}|{delivery}"


class TableWebhookDeliveries:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def record(self, entry: DeliveryRecord) -> None:
        delivery = delivery_id(entry.event_time, entry.event_id)
        entity: dict[str, Any] = {
            "PartitionKey": entry.partner_id,
            "RowKey": _row_key(entry.subscription_id, delivery),
            "EventId": entry.event_id,
            "EventType": entry.event_type,
            "EventTime": entry.event_time,
            "Status": entry.state.value,
            "Attempts": entry.attempts,
            "LastStatus": entry.last_status,
            "LastError": (entry.last_error or "")[:500] or None,
            "LastAttemptAt": entry.last_attempt_at,
            "NextTryAt": entry.next_try_at,
        }
        if entry.event is not None:
            entity |= chunked(_EVENT, json.dumps(entry.event, separators=(",", ":")))
        with translate_storage_errors():
            self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)

    def find(
        self, partner_id: str, subscription_id: str, delivery_id: str
    ) -> DeliveryRecord | None:
        with translate_storage_errors():
            try:
                row = self._table.get_entity(partner_id, _row_key(subscription_id, delivery_id))
            except ResourceNotFoundError:
                return None
        return _from_entity(row, subscription_id)

    def recent(
        self, partner_id: str, subscription_id: str, *, limit: int, before: str | None
    ) -> tuple[list[DeliveryRecord], str | None]:
        prefix = f"{subscription_id}|"
        if before is not None and not before.startswith(prefix):
            raise InvalidInput("The continuation token is not one this API gave.")
        rows = self._range(partner_id, before or prefix, key_after(prefix), limit + 1,
                           exclusive=before is not None)  # fmt: skip
        records = [_from_entity(row, subscription_id) for row in rows[:limit]]
        following = rows[limit - 1]["RowKey"] if len(rows) > limit else None
        return records, following

    def failed_since(
        self, partner_id: str, subscription_id: str, since: datetime, *, limit: int
    ) -> list[DeliveryRecord]:
        prefix = f"{subscription_id}|"
        high = key_after(prefix + newest_first_bound(since))
        rows = self._range(partner_id, prefix, high, limit, status=DeliveryState.FAILED)
        return [_from_entity(row, subscription_id) for row in rows]

    def _range(
        self,
        partner_id: str,
        low: str,
        high: str,
        limit: int,
        *,
        status: str | None = None,
        exclusive: bool = False,
    ) -> list[Any]:
        above = "gt" if exclusive else "ge"
        query = f"PartitionKey eq @p and RowKey {above} @low and RowKey lt @high"
        parameters: dict[str, Any] = {"p": partner_id, "low": low, "high": high}
        if status is not None:
            query += " and Status eq @status"
            parameters["status"] = status
        found: list[Any] = []
        with translate_storage_errors():
            pages = self._table.query_entities(
                query, parameters=parameters, results_per_page=min(limit, 1000)
            ).by_page()
            for page in pages:
                found.extend(page)
                if len(found) >= limit:
                    break
        return found[:limit]


def _from_entity(row: Any, subscription_id: str) -> DeliveryRecord:
    text = unchunked(row, _EVENT) if row.get(f"{_EVENT}Chunks") else None
    return DeliveryRecord(
        partner_id=row["PartitionKey"],
        subscription_id=subscription_id,
        event_id=row["EventId"],
        event_type=row.get("EventType") or "",
        event_time=_instant(row["EventTime"]),
        state=DeliveryState(row["Status"]),
        attempts=int(row.get("Attempts") or 0),
        last_status=row.get("LastStatus"),
        last_error=row.get("LastError"),
        last_attempt_at=_instant(row.get("LastAttemptAt")),
        next_try_at=_instant(row.get("NextTryAt")),
        event=json.loads(text) if text else None,
    )


def _instant(value: Any) -> Any:
    if isinstance(value, datetime):  # the SDK's TablesEntityDatetime: a plain one
        return datetime.fromtimestamp(value.timestamp(), value.tzinfo)
    return value
