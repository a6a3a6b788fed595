"""New-lead emails counted per partner and calendar day (lead_rows.py, `C|<day>`).

One row a partner-day holds the ids of the notifications it counted, updated under its ETag: of
eleven deliveries racing for ten slots exactly ten win, and a notification asking again (a
redelivered message) finds its id and keeps its slot.

The ids are JSON over as many properties as their size needs (`lead_rows.chunked`): a string
property holds 32 K characters, about 910 ids, and DIGEST_THRESHOLD may allow more. The row never
holds more than the threshold's ids (a notification past it is refused, not recorded).

A full day never changes again, so a worker remembers the full days it saw (their counted ids):
on a busy day every lead past the threshold is answered without a round trip.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import OrderedDict
from datetime import date
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters import lead_rows as rows
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.errors import ConcurrentModification

# Each lost race means another delivery got a slot, so `limit` rounds suffice in theory; the
# margin covers deliveries that lose to re-reads. Jitter keeps the racers from re-colliding.
_ATTEMPTS = 40
_JITTER_SECONDS = 0.02
_FULL_DAYS_REMEMBERED = 64  # partner-days; each holds at most DIGEST_THRESHOLD ids


def count_key(day: date, recipient: str = "") -> str:
    """`C|<day>` counts the emails to the partner's contacts; `C|<day>|<memberId>` an owner's."""
    return f"{rows.DAILY_COUNT}{day.isoformat()}" + (f"|{recipient}" if recipient else "")


class TableDailyCounter:
    def __init__(self, table: TableClient) -> None:
        self._table = table
        self._full_days: OrderedDict[tuple[str, str, int], frozenset[str]] = OrderedDict()
        self._lock = threading.Lock()

    def take_slot(
        self, partner_id: str, day: date, notification_id: str, limit: int, *, recipient: str = ""
    ) -> bool:
        key = count_key(day, recipient)
        full = self._full_days.get((partner_id, key, limit))
        if full is not None:
            return notification_id in full
        with translate_storage_errors():
            for _ in range(_ATTEMPTS):
                entity = self._read(partner_id, key)
                counted = _counted(entity)
                if notification_id in counted:
                    return True
                if len(counted) >= limit:
                    self._remember_full(partner_id, key, limit, counted)
                    return False
                try:
                    self._write(partner_id, key, [*counted, notification_id], entity)
                except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError):
                    time.sleep(random.uniform(0, _JITTER_SECONDS))  # noqa: S311  # not crypto
                    continue
                return True
        raise ConcurrentModification("Too many concurrent new-lead emails for one partner; retry.")

    def _remember_full(self, partner_id: str, key: str, limit: int, counted: list[str]) -> None:
        with self._lock:
            self._full_days[(partner_id, key, limit)] = frozenset(counted)
            while len(self._full_days) > _FULL_DAYS_REMEMBERED:
                self._full_days.popitem(last=False)

    def _read(self, partner_id: str, key: str) -> Any:
        try:
            return self._table.get_entity(partner_id, key)
        except ResourceNotFoundError:
            return None

    def _write(self, partner_id: str, key: str, counted: list[str], previous: Any) -> None:
        entity = {
            "PartitionKey": partner_id,
            "RowKey": key,
            "Count": len(counted),
            **rows.chunked("Counted", json.dumps(counted)),
        }
        if previous is None:
            self._table.create_entity(entity)
            return
        self._table.update_entity(
            entity,
            mode=UpdateMode.REPLACE,
            etag=previous.metadata.get("etag"),
            match_condition=MatchConditions.IfNotModified,
        )


def _counted(entity: Any) -> list[str]:
    if entity is None:
        return []
    if "CountedChunks" in entity:
        ids: list[str] = json.loads(rows.unchunked(entity, "Counted"))
        return ids
    legacy: list[str] = json.loads(entity["Counted"])  # rows written before the chunking
    return legacy
