"""Favourite marks: `F|<user hash>|<leadId>` rows in the partner's partition of the Leads table.

The user id is hashed: it comes from a token and may hold characters a RowKey cannot.
"""

from __future__ import annotations

import contextlib
import hashlib

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters import lead_rows as rows
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.lead import Lead


def _prefix(user_id: str) -> str:
    return f"{rows.FAVORITE}{hashlib.sha256(user_id.encode('utf-8')).hexdigest()[:32]}|"


class TableFavoriteStore:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def add(self, partner_id: str, user_id: str, lead: Lead) -> None:
        entity = {
            "PartitionKey": partner_id,
            "RowKey": _prefix(user_id) + lead.id,
            "LeadId": lead.id,
            "LeadCreatedAt": lead.created_at,
        }
        with translate_storage_errors():
            self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)

    def remove(self, partner_id: str, user_id: str, lead: Lead) -> None:
        with translate_storage_errors(), contextlib.suppress(ResourceNotFoundError):
            self._table.delete_entity(partner_id, _prefix(user_id) + lead.id)

    def is_favorite(self, partner_id: str, user_id: str, lead_id: str) -> bool:
        with translate_storage_errors():
            try:
                self._table.get_entity(partner_id, _prefix(user_id) + lead_id, select=["LeadId"])
            except ResourceNotFoundError:
                return False
        return True

    def favorite_ids(self, partner_id: str, user_id: str) -> list[str]:
        prefix = _prefix(user_id)
        with translate_storage_errors():
            marks = list(
                self._table.query_entities(
                    "PartitionKey eq @p and RowKey ge @start and RowKey lt @end",
                    parameters={"p": partner_id, "start": prefix, "end": rows.key_after(prefix)},
                    select=["LeadId", "LeadCreatedAt"],
                )
            )
        marks.sort(key=lambda mark: mark["LeadCreatedAt"], reverse=True)
        return [mark["LeadId"] for mark in marks]
