"""The one batch that writes back a changed lead (lead_rows.py): the lead row, its listing copy,
its dedup row, its due-row and search-row copies and the notifications it owes, in its
partner's partition.

Every write of a lead rewrites each due row it keeps and deletes each it no longer needs, so a
due row's ETag changes whenever the lead does. A job that read the lead from its due row can
therefore write it back on condition of that row (a `Guard`) instead of the lead row's ETag,
and skip reading the lead row: one entity read per lead due.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from azure.core import MatchConditions
from azure.data.tables import UpdateMode

from shared.adapters import lead_rows as rows
from shared.domain.errors import ConcurrentModification
from shared.domain.lead import Lead
from shared.domain.notification import FIRST_RELAY_DELAY, Notification
from shared.services.ports import PoolTurn

Operation = tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], dict[str, Any]]
REPLACE: dict[str, Any] = {"mode": UpdateMode.REPLACE}


@dataclass(frozen=True, slots=True)
class Guard:
    """The due row a lead was read from: the write holds only while that row is unchanged."""

    row_key: str
    etag: str | None


def if_match(etag: str | None) -> dict[str, Any]:
    return {
        "mode": UpdateMode.REPLACE,
        "etag": etag,
        "match_condition": MatchConditions.IfNotModified,
    }


# The shape of a lead's index rows: which ranges `index_keys` names and how their keys are made.
# Raise it with any change to that shape; the `reindex-leads` job rewrites each lead stored
# under an older one (or before the number was stored), so older leads appear in new indexes.
INDEX_LAYOUT = 1


def index_keys(lead: Lead) -> tuple[str, ...]:
    """The listing copy first, then the due, search and owner rows (all full copies)."""
    return (
        rows.listing_key(lead),
        *rows.due_keys(lead),
        *rows.follow_up_keys(lead),
        *rows.search_keys(lead),
        *rows.owner_keys(lead),
    )


def stored_entity(lead: Lead, keys: tuple[str, ...], row_key: str) -> dict[str, Any]:
    """The lead row, or one of its due-row copies: the document plus the index rows it has."""
    entity = rows.lead_entity(lead, row_key)
    entity["IndexKeys"] = json.dumps(keys)
    entity["IndexLayout"] = INDEX_LAYOUT
    return entity


def outbox_entity(notification: Notification) -> dict[str, Any]:
    return {
        "PartitionKey": notification.partner_id,
        "RowKey": f"{rows.OUTBOX}{notification.id}",
        "Message": notification.model_dump_json(by_alias=True),
        "Attempts": 0,
        "NextRelayAt": notification.created_at + FIRST_RELAY_DELAY,
    }


def turn_operation(turn: PoolTurn) -> Operation:
    """Advance a routing pool past the turn a lead drew, on condition that nobody drew it
    first: with the lead in one batch, every turn goes to exactly one lead."""
    row: dict[str, Any] = {
        "PartitionKey": turn.partner_id,
        "RowKey": f"{rows.ROTATION}{turn.pool_key}",
        "NextTurn": turn.turn + 1,
    }
    if turn.etag is None:
        return ("create", row)
    return ("update", row, if_match(turn.etag))


def change_operations(
    lead: Lead,
    keys: tuple[str, ...],
    *,
    outbox: Sequence[Notification],
    guard: Guard | None,
    turn: PoolTurn | None = None,
) -> list[Operation]:
    """Write back `lead`, read earlier: under its own ETag, or under `guard`'s."""
    partner = lead.partner_id
    condition = REPLACE if guard else if_match(lead.etag)
    operations: list[Operation] = [
        ("update", stored_entity(lead, keys, rows.lead_key(lead.id)), condition),
        ("upsert", rows.lead_entity(lead, keys[0]), REPLACE),
        ("upsert", rows.dedup_entity(lead), REPLACE),
    ]
    stale = [key for key in lead.stored_index_keys if key not in keys]
    guarded = guard.row_key if guard else None
    if guard and guarded not in stale and guarded not in keys:
        # The copy does not list itself: not written by this code. Let the caller re-read.
        raise ConcurrentModification(f"Lead '{lead.id}' has an unexpected due row.")
    for key in stale:
        row = {"PartitionKey": partner, "RowKey": key}
        if key == guarded and guard:
            operations.append(("delete", row, {"etag": guard.etag, **_MATCH}))
        else:
            operations.append(("delete", row))
    for key in keys[1:]:
        copy = stored_entity(lead, keys, key)
        if key == guarded and guard:
            operations.append(("update", copy, if_match(guard.etag)))
        else:
            operations.append(("upsert", copy, REPLACE))
    operations += [("create", outbox_entity(item)) for item in outbox]
    if turn is not None:
        operations.append(turn_operation(turn))
    return operations


_MATCH: dict[str, Any] = {"match_condition": MatchConditions.IfNotModified}
