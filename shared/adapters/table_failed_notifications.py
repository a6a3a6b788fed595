"""Failed notifications for operators: one row per failed send beside the partner's profile,

    PartitionKey = partner id, RowKey = `failed|<notificationId>`

written when the send ledger records Failed (`FailureIndexingLedger`), deleted when an
operator resends it. Listing them is one range query over the Partners table instead of a
visit of every partner's send ledger. The ledger itself (`S|` in the Leads table) stays the
truth about the send: a resend only marks its Failed row retryable.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters.lead_rows import SEND_LEDGER, key_after
from shared.adapters.storage_errors import translate_storage_errors
from shared.adapters.table_partner_overview import FAILED_PREFIX
from shared.domain.delivery import DeliveryStatus
from shared.domain.notification import Notification
from shared.services.operator_ports import FailedNotification, FailedPage


class TableFailedNotifications:
    def __init__(self, partners: TableClient, leads: TableClient) -> None:
        self._partners = partners
        self._leads = leads

    def record(self, failed: FailedNotification) -> None:
        notification = failed.notification
        entity = {
            "PartitionKey": failed.partner_id,
            "RowKey": f"{FAILED_PREFIX}{failed.notification_id}",
            "Kind": failed.kind,
            "LeadId": failed.lead_id or "",
            "Reason": failed.reason[:500],
            "FailedAt": failed.failed_at,
            "Retryable": failed.retryable,
            "NotificationJson": notification.model_dump_json() if notification else "",
        }
        with translate_storage_errors():
            self._partners.upsert_entity(entity, mode=UpdateMode.REPLACE)

    def page(self, partner_id: str | None, after: tuple[str, str] | None, limit: int) -> FailedPage:
        conditions = ["RowKey ge @start", "RowKey lt @end"]
        parameters: dict[str, Any] = {"start": FAILED_PREFIX, "end": key_after(FAILED_PREFIX)}
        if partner_id:
            conditions.append("PartitionKey eq @partner")
            parameters["partner"] = partner_id
        if after is not None:  # resume past (partner, id), within that partner or beyond it
            conditions.append("((PartitionKey eq @ap and RowKey gt @ar) or PartitionKey gt @ap)")
            parameters |= {"ap": after[0], "ar": FAILED_PREFIX + after[1]}
        items: list[FailedNotification] = []
        with translate_storage_errors():
            for entity in self._partners.query_entities(
                " and ".join(conditions), parameters=parameters, results_per_page=limit + 1
            ):
                if len(items) == limit:
                    last = items[-1]
                    return FailedPage(items, (last.partner_id, last.notification_id))
                items.append(_failed(entity))
        return FailedPage(items, None)

    def get(self, partner_id: str, notification_id: str) -> FailedNotification | None:
        with translate_storage_errors():
            try:
                entity = self._partners.get_entity(partner_id, FAILED_PREFIX + notification_id)
            except ResourceNotFoundError:
                return None
        return _failed(entity)

    def forget(self, partner_id: str, notification_id: str) -> None:
        with translate_storage_errors():
            self._partners.delete_entity(partner_id, FAILED_PREFIX + notification_id)

    def allow_retry(self, partner_id: str, notification_id: str) -> bool:
        with translate_storage_errors():
            try:
                row = self._leads.get_entity(partner_id, SEND_LEDGER + notification_id)
            except ResourceNotFoundError:
                return False
            if row.get("Status") != DeliveryStatus.FAILED.value:
                return False
            update = {"PartitionKey": partner_id, "RowKey": row["RowKey"], "Retryable": True}
            try:  # under the row's ETag: a send finishing meanwhile wins
                self._leads.update_entity(
                    update,
                    mode=UpdateMode.MERGE,
                    etag=row.metadata["etag"],
                    match_condition=MatchConditions.IfNotModified,
                )
            except (ResourceModifiedError, ResourceNotFoundError):
                return False
        return True

    def ledger_basics(self, partner_id: str, notification_id: str) -> dict[str, Any] | None:
        """Kind, lead and creation time from the ledger row: enough to rebuild a notification
        about one lead whose body was not captured."""
        with translate_storage_errors():
            try:
                row = self._leads.get_entity(partner_id, SEND_LEDGER + notification_id)
            except ResourceNotFoundError:
                return None
        return {
            "kind": row.get("Kind"),
            "lead_id": row.get("LeadId") or None,
            "created_at": row.get("NotificationCreatedAt"),
        }


def _failed(entity: Any) -> FailedNotification:
    text = entity.get("NotificationJson") or ""
    failed_at = entity.get("FailedAt")
    return FailedNotification(
        partner_id=entity["PartitionKey"],
        notification_id=entity["RowKey"].removeprefix(FAILED_PREFIX),
        kind=entity.get("Kind") or "",
        lead_id=entity.get("LeadId") or None,
        reason=entity.get("Reason") or "",
        failed_at=datetime.fromtimestamp(failed_at.timestamp(), tz=failed_at.tzinfo),
        retryable=bool(entity.get("Retryable")),
        notification=Notification.model_validate(json.loads(text)) if text else None,
    )
