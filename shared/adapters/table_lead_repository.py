"""Leads in Azure Table storage: one partition a partner, one batch a change (lead_rows.py).

The batch carries the change's events too (event_rows.py): their keys are stamped just before
it is sent, and it gets `write_deadline` for all its tries, so the event log can tell when a
key can no longer be committed (table_event_log.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient

from shared.adapters import event_rows
from shared.adapters import lead_rows as rows
from shared.adapters.clock import SystemClock
from shared.adapters.lead_batches import (
    REPLACE,
    Guard,
    Operation,
    change_operations,
    if_match,
    index_keys,
    outbox_entity,
    stored_entity,
)
from shared.adapters.storage_errors import submit_batch, translate_storage_errors
from shared.domain.errors import ConcurrentModification, NotFound
from shared.domain.lead import Lead
from shared.domain.lead_values import LeadStatus
from shared.domain.notification import Notification
from shared.services.event_ports import LeadChangeEvent
from shared.services.ports import Clock, DedupRecord, IdempotencyRecord

# What a batch carrying events may take, every try and back-off included: the event log's
# settle window must exceed it by Table storage's 30 s server timeout and the clocks' skew.
DEFAULT_WRITE_DEADLINE = timedelta(seconds=10)
# A Received lead's events: its receipt, up to 23 more stages (lead_limits.py), one reminder.
_MAX_CONTACT_EVENTS = 40


class TableLeadRepository:
    def __init__(
        self,
        table: TableClient,
        *,
        clock: Clock | None = None,
        write_deadline: timedelta = DEFAULT_WRITE_DEADLINE,
    ) -> None:
        self._table = table
        self._clock: Clock = clock or SystemClock()
        self._write_deadline = write_deadline

    def find_dedup(self, partner_id: str, dedup_key: str) -> DedupRecord | None:
        entity = self._find(partner_id, f"{rows.DEDUP}{dedup_key}")
        if entity is None:
            return None
        return DedupRecord(
            lead_id=entity["LeadId"],
            archived=bool(entity["Archived"]),
            stages=frozenset(json.loads(entity["Stages"])),
            etag=entity.metadata.get("etag"),
        )

    def find_idempotency(self, partner_id: str, key: str) -> IdempotencyRecord | None:
        entity = self._find(partner_id, f"{rows.IDEMPOTENCY}{key}")
        if entity is None:
            return None
        return IdempotencyRecord(
            key=key,
            body_hash=entity["BodyHash"],
            lead_id=entity["LeadId"],
            receipt=entity["Receipt"],
        )

    def remember_idempotency(self, partner_id: str, record: IdempotencyRecord) -> IdempotencyRecord:
        with translate_storage_errors():
            try:
                self._table.create_entity(_idempotency_entity(partner_id, record))
            except ResourceExistsError:
                first = self.find_idempotency(partner_id, record.key)
                if first is None:  # pragma: no cover - rows of this kind are never deleted
                    raise ConcurrentModification("Idempotency record vanished; retry.") from None
                return first
        return record

    def get(self, partner_id: str, lead_id: str) -> Lead:
        entity = self._find(partner_id, rows.lead_key(lead_id))
        if entity is None:
            raise NotFound(f"No lead '{lead_id}'.")
        lead = rows.lead_from_entity(entity)
        lead.remember_index_keys(tuple(json.loads(entity.get("IndexKeys") or "[]")))
        lead.remember_event_keys(tuple(json.loads(entity.get("EventKeys") or "[]")))
        return lead

    def add(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        replaces: DedupRecord | None = None,
        events: Sequence[LeadChangeEvent] = (),
    ) -> Lead:
        keys = index_keys(lead)
        operations: list[Operation] = [
            ("create", stored_entity(lead, keys, rows.lead_key(lead.id))),
            ("create", rows.lead_entity(lead, keys[0])),
        ]
        dedup = rows.dedup_entity(lead)
        if replaces is None:
            operations.append(("create", dedup))
        else:
            operations.append(("update", dedup, if_match(replaces.etag)))
        operations += [("upsert", stored_entity(lead, keys, key), REPLACE) for key in keys[1:]]
        operations += [("create", outbox_entity(item)) for item in outbox]
        return self._commit(lead, operations, keys, events)

    def save(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        guard: Guard | None = None,
        events: Sequence[LeadChangeEvent] = (),
    ) -> Lead:
        """Under the lead's ETag, or with `guard` under the ETag of the due row it was read from."""
        keys = index_keys(lead)
        operations = change_operations(lead, keys, outbox=outbox, guard=guard)
        return self._commit(lead, operations, keys, events)

    def _commit(
        self,
        lead: Lead,
        operations: list[Operation],
        keys: tuple[str, ...],
        events: Sequence[LeadChangeEvent],
    ) -> Lead:
        deadline = None
        logged: list[dict[str, Any]] = []
        if events:
            logged_at = self._clock.now()  # as late as possible: the send follows at once
            logged = [event_rows.event_entity(lead.partner_id, item, logged_at) for item in events]
            operations = operations + [("create", row) for row in logged]
            deadline = self._write_deadline.total_seconds()
        if not lead.shows_contact:  # expired or aged out: no earlier event keeps the contact
            operations += [
                event_rows.scrub_operation(lead.partner_id, key) for key in lead.stored_event_keys
            ]
        event_keys = _contact_events(lead, tuple(row["RowKey"] for row in logged))
        for operation in operations:
            if "IndexKeys" in operation[1]:  # the lead row and its copies
                operation[1]["EventKeys"] = json.dumps(event_keys)
        results = submit_batch(
            self._table,
            operations,
            lost_race=f"Lead '{lead.id}' changed while this request was writing it.",
            deadline=deadline,
        )
        stored = lead.model_copy(update={"etag": results[0].get("etag")})
        stored.remember_index_keys(keys)
        stored.remember_event_keys(event_keys)
        return stored

    def _find(self, partner_id: str, row_key: str) -> Any:
        with translate_storage_errors():
            try:
                return self._table.get_entity(partner_id, row_key)
            except ResourceNotFoundError:
                return None
            except HttpResponseError as error:
                # A key with characters Table storage refuses cannot exist: treat as absent.
                if error.status_code == 400:
                    return None
                raise


def _contact_events(lead: Lead, new: tuple[str, ...]) -> tuple[str, ...]:
    """The lead's events that carry its contact, while it may still expire or age out (only a
    Received lead does: at most its stages and a reminder, so the scrub fits in its batch)."""
    if lead.status is not LeadStatus.RECEIVED or not lead.shows_contact:
        return ()
    return (*lead.stored_event_keys, *new)[-_MAX_CONTACT_EVENTS:]


def _idempotency_entity(partner_id: str, record: IdempotencyRecord) -> dict[str, Any]:
    return {
        "PartitionKey": partner_id,
        "RowKey": f"{rows.IDEMPOTENCY}{record.key}",
        "BodyHash": record.body_hash,
        "LeadId": record.lead_id,
        "Receipt": record.receipt,
    }
