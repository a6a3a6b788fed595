"""Users' email preferences, in their partner's partition of the Partners table.

    PartitionKey = partner id, RowKey = `user|<userKey>`

next to the partner's `profile` row, so the notifier reads a partner's preferences with one
range query. The user key is the token's user id when it is a safe key, else its SHA-256.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters.lead_rows import key_after
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.recipients import EmailPreferences

USER_PREFIX = "user|"
_SAFE_KEY = re.compile(r"^[A-Za-z0-9._@:-]{1,200}$")


def user_key(user_id: str) -> str:
    if _SAFE_KEY.fullmatch(user_id):
        return f"{USER_PREFIX}{user_id}"
    return f"{USER_PREFIX}sha256-{hashlib.sha256(user_id.encode('utf-8')).hexdigest()}"


class TablePreferenceStore:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def get(self, partner_id: str, user_id: str) -> EmailPreferences | None:
        with translate_storage_errors():
            try:
                entity = self._table.get_entity(partner_id, user_key(user_id))
            except ResourceNotFoundError:
                return None
        return _preferences(entity)

    def put(self, partner_id: str, preferences: EmailPreferences) -> EmailPreferences:
        entity = {
            "PartitionKey": partner_id,
            "RowKey": user_key(preferences.user_id),
            "UserId": preferences.user_id,
            "SignInEmail": preferences.sign_in_email or "",
            "EmailEnabled": preferences.email_enabled,
            "Email": preferences.email or "",
            "UpdatedAt": preferences.updated_at,
        }
        # The user's own row, written only by that user: the last write is the preference.
        with translate_storage_errors():
            self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)
        return preferences

    def for_partner(self, partner_id: str) -> list[EmailPreferences]:
        query = "PartitionKey eq @partner and RowKey ge @start and RowKey lt @end"
        parameters = {"partner": partner_id, "start": USER_PREFIX, "end": key_after(USER_PREFIX)}
        with translate_storage_errors():
            entities = self._table.query_entities(query, parameters=parameters)
            return [_preferences(entity) for entity in entities]


def _preferences(entity: Any) -> EmailPreferences:
    return EmailPreferences(
        user_id=entity["UserId"],
        sign_in_email=entity.get("SignInEmail") or None,
        email_enabled=bool(entity.get("EmailEnabled", True)),
        email=entity.get("Email") or None,
        updated_at=entity.get("UpdatedAt"),
    )


def preferences_from_entity(entity: Any) -> EmailPreferences:
    """A user row read by another reader of the Partners table (the operators' listing)."""
    return _preferences(entity)
