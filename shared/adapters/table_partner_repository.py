"""Partners in Azure Table storage: one entity a partner, PartitionKey = partner id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.errors import ConcurrentModification, Conflict
from shared.domain.partner import Contact, Partner

PROFILE_ROW = "profile"


class TablePartnerRepository:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def add(self, partner: Partner) -> Partner:
        with translate_storage_errors():
            try:
                metadata = self._table.create_entity(_to_entity(partner))
            except ResourceExistsError:
                raise Conflict(f"Partner '{partner.partner_id}' already exists.") from None
        return partner.model_copy(update={"etag": metadata.get("etag")})

    def find(self, partner_id: str) -> Partner | None:
        with translate_storage_errors():
            try:
                entity = self._table.get_entity(partner_id, PROFILE_ROW)
            except ResourceNotFoundError:
                return None
        return _from_entity(entity)

    def partner_ids(self) -> Iterator[str]:
        with translate_storage_errors():
            for entity in self._table.query_entities(
                "RowKey eq @row", parameters={"row": PROFILE_ROW}, select=["PartitionKey"]
            ):
                yield entity["PartitionKey"]

    def replace(self, partner: Partner) -> Partner:
        with translate_storage_errors():
            try:
                metadata = self._table.update_entity(
                    _to_entity(partner),
                    mode=UpdateMode.REPLACE,
                    etag=partner.etag,
                    match_condition=MatchConditions.IfNotModified,
                )
            except (ResourceModifiedError, ResourceNotFoundError):
                raise ConcurrentModification(
                    f"Partner '{partner.partner_id}' changed while it was being updated."
                ) from None
        return partner.model_copy(update={"etag": metadata.get("etag")})


def _to_entity(partner: Partner) -> dict[str, Any]:
    return {
        "PartitionKey": partner.partner_id,
        "RowKey": PROFILE_ROW,
        "Name": partner.name,
        "ContactsJson": json.dumps([contact.model_dump() for contact in partner.contacts]),
        "TimeZone": partner.time_zone,
        "IntakeKeyHash": partner.intake_key_hash,
        "CreatedAt": partner.created_at,
        "IntakeKeyRotatedAt": partner.intake_key_rotated_at,
    }


def _from_entity(entity: Any) -> Partner:
    return Partner(
        partner_id=entity["PartitionKey"],
        name=entity["Name"],
        contacts=[Contact(**item) for item in json.loads(entity.get("ContactsJson") or "[]")],
        time_zone=entity.get("TimeZone") or "UTC",
        intake_key_hash=entity["IntakeKeyHash"],
        created_at=_as_datetime(entity["CreatedAt"]),
        intake_key_rotated_at=_as_datetime(entity["IntakeKeyRotatedAt"]),
        etag=entity.metadata.get("etag"),
    )


def _as_datetime(value: Any) -> datetime:
    # The SDK returns TablesEntityDatetime (a datetime subclass); keep a plain aware datetime.
    if not isinstance(value, datetime):
        raise TypeError(f"expected a stored datetime, got {type(value).__name__}")
    return datetime.fromtimestamp(value.timestamp(), tz=value.tzinfo)


def partner_from_entity(entity: Any) -> Partner:
    """A profile row read by another reader of the Partners table (the operators' listing)."""
    return _from_entity(entity)
