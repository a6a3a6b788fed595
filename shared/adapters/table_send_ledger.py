"""The send ledger, feed and held-lead rows of a partner's partition (lead_rows.py: S|, N|, H|).

They share the partition of the notification's outbox row, so a claim writes ledger and feed in
one batch, and a completion writes the outcome, the held lead and the outbox delete in one.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, TableTransactionError, UpdateMode

from shared.adapters import lead_rows as rows
from shared.adapters.storage_errors import submit_batch, translate_storage_errors
from shared.domain.delivery import (
    Completion,
    DeliveryStatus,
    FeedItem,
    HeldLead,
    LedgerEntry,
)
from shared.domain.notification import Notification

logger = logging.getLogger(__name__)
Operation = tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], dict[str, Any]]
_MERGE = {"mode": UpdateMode.MERGE}


def ledger_key(notification_id: str) -> str:
    return f"{rows.SEND_LEDGER}{notification_id}"


def feed_key(item: FeedItem) -> str:
    return f"{rows.FEED}{rows.newest_first(item.created_at)}|{item.notification_id}"


def held_key(hold: HeldLead) -> str:
    return f"{rows.HELD}{hold.day.isoformat()}|{hold.lead_id}"


class TableSendLedger:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def find(self, partner_id: str, notification_id: str) -> LedgerEntry | None:
        with translate_storage_errors():
            try:
                entity = self._table.get_entity(partner_id, ledger_key(notification_id))
            except ResourceNotFoundError:
                return None
        return _entry(entity)

    def claim(
        self,
        notification: Notification,
        previous: LedgerEntry | None,
        *,
        lease_until: datetime,
        message_id: str,
        feed: FeedItem | None,
    ) -> LedgerEntry:
        attempts = (previous.attempts if previous else 0) + 1
        entity: dict[str, Any] = {
            "PartitionKey": notification.partner_id,
            "RowKey": ledger_key(notification.id),
            "Kind": notification.kind.value,
            "LeadId": notification.lead_id or "",
            "Status": DeliveryStatus.SENDING.value,
            "Attempts": attempts,
            "LeaseUntil": lease_until,
            "LeaseMessageId": message_id,
            "NotificationCreatedAt": notification.created_at,
        }
        claim: Operation = (
            ("create", entity) if previous is None else ("update", entity, _if_match(previous))
        )
        operations = [claim]
        if feed is not None:  # an upsert by a derived key: a second claim rewrites the same row
            operations.append(("upsert", _feed_entity(notification.partner_id, feed)))
        results = submit_batch(
            self._table,
            operations,
            lost_race=f"Notification '{notification.id}' was claimed by another delivery.",
        )
        return LedgerEntry(
            partner_id=notification.partner_id,
            notification_id=notification.id,
            status=DeliveryStatus.SENDING,
            attempts=attempts,
            lease_until=lease_until,
            lease_message_id=message_id,
            etag=results[0].get("etag"),
        )

    def release(self, entry: LedgerEntry, *, reason: str, retry_at: datetime) -> None:
        update = _key(entry) | {
            "Status": DeliveryStatus.PENDING.value,
            "Reason": reason[:500],
            # The owner (`LeaseMessageId`) keeps it until its retry is due.
            "LeaseUntil": retry_at,
        }
        # Gone or changed: taken over after our lease ran out; the new owner decides.
        taken_over = contextlib.suppress(ResourceModifiedError, ResourceNotFoundError)
        with translate_storage_errors(), taken_over:
            self._table.update_entity(update, **_if_match(entry))

    def complete(self, entry: LedgerEntry, completion: Completion) -> None:
        outcome = _key(entry) | {
            "Status": completion.status.value,
            "Reason": (completion.reason or "")[:500],
            "Retryable": completion.retryable,
            "ProviderMessageId": completion.provider_message_id or "",
            "Recipients": completion.recipients,
        }
        # A Sent email must be recorded even if our lease ran out meanwhile: it went out.
        condition = {} if completion.status is DeliveryStatus.SENT else _if_match(entry)
        operations: list[Operation] = [("update", outcome, {**_MERGE, **condition})]
        if completion.hold is not None:
            hold = completion.hold
            operations.append(("upsert", _held_entity(entry, hold)))
        outbox = {
            "PartitionKey": entry.partner_id,
            "RowKey": f"{rows.OUTBOX}{entry.notification_id}",
        }
        with translate_storage_errors():
            try:
                self._table.submit_transaction([*operations, ("delete", outbox)])
            except TableTransactionError as error:
                if error.status_code == 404:  # no outbox row (relayed by hand, or cleared)
                    self._commit_without_outbox(entry, operations)
                elif error.status_code == 412:
                    logger.info("Notification %s was taken over", entry.notification_id)
                else:
                    raise

    def _commit_without_outbox(self, entry: LedgerEntry, operations: list[Operation]) -> None:
        try:
            self._table.submit_transaction(operations)
        except TableTransactionError as error:
            if error.status_code != 412:
                raise
            logger.info("Notification %s was taken over", entry.notification_id)


def _key(entry: LedgerEntry) -> dict[str, Any]:
    return {"PartitionKey": entry.partner_id, "RowKey": ledger_key(entry.notification_id)}


def _if_match(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "mode": UpdateMode.MERGE,
        "etag": entry.etag,
        "match_condition": MatchConditions.IfNotModified,
    }


def _entry(entity: Any) -> LedgerEntry:
    return LedgerEntry(
        partner_id=entity["PartitionKey"],
        notification_id=entity["RowKey"].removeprefix(rows.SEND_LEDGER),
        status=DeliveryStatus(entity["Status"]),
        attempts=int(entity.get("Attempts") or 0),
        retryable=bool(entity.get("Retryable")),
        lease_until=entity.get("LeaseUntil"),
        lease_message_id=entity.get("LeaseMessageId") or None,
        etag=entity.metadata.get("etag"),
    )


def _feed_entity(partner_id: str, item: FeedItem) -> dict[str, Any]:
    return {
        "PartitionKey": partner_id,
        "RowKey": feed_key(item),
        "NotificationId": item.notification_id,
        "Kind": item.kind,
        "LeadId": item.lead_id or "",
        "Title": item.title,
        "CreatedAt": item.created_at,
    }


def _held_entity(entry: LedgerEntry, hold: HeldLead) -> dict[str, Any]:
    return {
        "PartitionKey": entry.partner_id,
        "RowKey": held_key(hold),
        "LeadId": hold.lead_id,
        "Day": hold.day.isoformat(),
        "NotificationId": entry.notification_id,
    }
