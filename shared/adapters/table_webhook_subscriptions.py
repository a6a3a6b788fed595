"""Webhook subscriptions in their own table: PartitionKey = partner, RowKey = subscription id.

Their own table, not the partner's Leads partition: the dispatcher asks "which partners have an
enabled subscription" every few seconds, one query over this small table (a few rows a partner),
where the Leads table would make it a scan of every lead. The partner's dispatch cursor is the
row `~dispatch` of its partition (after every hex id), read and moved under its ETag.
The signing secrets are stored sealed (`SecretBox`), never in clear.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.errors import ConcurrentModification, Conflict, NotFound
from shared.domain.webhooks import SigningSecrets, Subscription, WebhookFormat

CURSOR_ROW = "~dispatch"
_NOT_FOUND = "No such webhook subscription."


class TableWebhookSubscriptions:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def of_partner(self, partner_id: str) -> list[Subscription]:
        with translate_storage_errors():
            rows = self._table.query_entities(
                "PartitionKey eq @p and RowKey lt @cursor",
                parameters={"p": partner_id, "cursor": CURSOR_ROW},
            )
            return sorted((_from_entity(row) for row in rows), key=lambda s: s.created_at)

    def get(self, partner_id: str, subscription_id: str) -> Subscription:
        if not subscription_id or subscription_id.startswith("~") or not subscription_id.isalnum():
            raise NotFound(_NOT_FOUND)
        with translate_storage_errors():
            try:
                return _from_entity(self._table.get_entity(partner_id, subscription_id))
            except ResourceNotFoundError:
                raise NotFound(_NOT_FOUND) from None

    def add(self, subscription: Subscription) -> Subscription:
        with translate_storage_errors():
            try:
                metadata = self._table.create_entity(_to_entity(subscription))
            except ResourceExistsError:
                raise Conflict("The subscription exists already.") from None
        return _with_etag(subscription, metadata)

    def replace(self, subscription: Subscription) -> Subscription:
        with translate_storage_errors():
            try:
                metadata = self._table.update_entity(
                    _to_entity(subscription), mode=UpdateMode.REPLACE, etag=subscription.etag,
                    match_condition=MatchConditions.IfNotModified,
                )  # fmt: skip
            except ResourceNotFoundError:
                raise NotFound(_NOT_FOUND) from None
            except ResourceModifiedError:
                raise ConcurrentModification("The subscription changed meanwhile.") from None
        return _with_etag(subscription, metadata)

    def delete(self, partner_id: str, subscription_id: str) -> None:
        with translate_storage_errors():
            self._table.delete_entity(partner_id, subscription_id)

    def active_partners(self) -> dict[str, list[Subscription]]:
        found: dict[str, list[Subscription]] = {}
        with translate_storage_errors():
            for row in self._table.query_entities("Enabled eq true"):
                subscription = _from_entity(row)
                found.setdefault(subscription.partner_id, []).append(subscription)
        return found

    def cursor(self, partner_id: str) -> tuple[str | None, str | None]:
        with translate_storage_errors():
            try:
                row = self._table.get_entity(partner_id, CURSOR_ROW)
            except ResourceNotFoundError:
                return None, None
        return row.get("Cursor"), row.metadata.get("etag")

    def advance(self, partner_id: str, cursor: str, version: str | None) -> str | None:
        entity = {"PartitionKey": partner_id, "RowKey": CURSOR_ROW, "Cursor": cursor}
        with translate_storage_errors():
            try:
                if version is None:
                    metadata = self._table.create_entity(entity)
                else:
                    metadata = self._table.update_entity(
                        entity, mode=UpdateMode.REPLACE, etag=version,
                        match_condition=MatchConditions.IfNotModified,
                    )  # fmt: skip
            except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError):
                raise ConcurrentModification("Another dispatch moved the cursor.") from None
        return metadata.get("etag")


def _to_entity(subscription: Subscription) -> dict[str, Any]:
    secrets = subscription.secrets
    return {
        "PartitionKey": subscription.partner_id,
        "RowKey": subscription.id,
        "Url": subscription.url,
        "EventTypes": json.dumps(sorted(subscription.event_types)),
        "Enabled": subscription.enabled,
        "Format": subscription.format.value,
        "Description": subscription.description,
        "CreatedAt": subscription.created_at,
        "Secret": secrets.current,
        "PreviousSecret": secrets.previous,
        "PreviousSecretUntil": secrets.previous_until,
        "DisabledReason": subscription.disabled_reason,
    }


def _from_entity(row: Any) -> Subscription:
    return Subscription(
        partner_id=row["PartitionKey"],
        id=row["RowKey"],
        url=row["Url"],
        event_types=frozenset(json.loads(row.get("EventTypes") or "[]")),
        enabled=bool(row.get("Enabled")),
        format=WebhookFormat(row.get("Format") or WebhookFormat.STANDARD),
        description=row.get("Description"),
        created_at=_instant(row["CreatedAt"]),
        secrets=SigningSecrets(
            current=row["Secret"],
            previous=row.get("PreviousSecret"),
            previous_until=_instant(row.get("PreviousSecretUntil")),
        ),
        disabled_reason=row.get("DisabledReason"),
        etag=row.metadata.get("etag"),
    )


def _instant(value: Any) -> Any:
    # The SDK returns its own datetime subclass (TablesEntityDatetime): a plain UTC datetime.
    if isinstance(value, datetime):
        return datetime.fromtimestamp(value.timestamp(), value.tzinfo)
    return value


def _with_etag(subscription: Subscription, metadata: Any) -> Subscription:
    return replace(subscription, etag=metadata.get("etag"))
