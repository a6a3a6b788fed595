"""The intake journal's vocabulary: one marketplace delivery, kept as received, and its outcome.

The marketplace sends a lead once and never re-sends one we missed, so the door only verifies,
journals the raw body and acknowledges; turning a delivery into a lead happens afterwards and can
be repeated (queue retries, the relay, an operator's replay) without a second lead.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from shared.domain.errors import FieldError, InvalidInput


class JournalStatus(StrEnum):
    RECEIVED = "Received"  # journaled, not yet processed (or re-opened by a replay)
    CREATED = "Created"
    STAGE_ADDED = "StageAdded"
    DUPLICATE = "Duplicate"
    TEST = "Test"  # a marketplace test lead, stored as such
    REJECTED = "Rejected"  # names no customer at all: nothing to land
    QUARANTINED = "Quarantined"  # could not be processed: kept for an operator's replay


LANDED = frozenset(
    {JournalStatus.CREATED, JournalStatus.STAGE_ADDED, JournalStatus.DUPLICATE, JournalStatus.TEST}
)
"""Outcomes that put the delivery into a lead: a replay leaves them alone."""


class DeliverySource(StrEnum):
    MARKETPLACE = "Marketplace"  # the HTTPS-endpoint webhook
    IMPORT = "Import"  # a row of a Partner Center export


# 12 hex digits of Unix milliseconds, then 20 random ones: unique, sorted by arrival, and the
# arrival instant (so the journal partition and row) can be read back from the id alone.
_DELIVERY_ID = re.compile(r"^[0-9a-f]{32}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def new_delivery_id(received_at: datetime) -> str:
    millis = (received_at.astimezone(UTC) - _EPOCH) // timedelta(milliseconds=1)
    return f"{millis:012x}{secrets.randbits(80):020x}"


def received_at_of(delivery_id: str) -> datetime:
    """The arrival instant an id carries; `InvalidInput` for anything that is not an id."""
    if not _DELIVERY_ID.match(delivery_id):
        raise InvalidInput(
            "Not a delivery id.", [FieldError("deliveryId", "must be 32 lowercase hex digits")]
        )
    return _EPOCH + timedelta(milliseconds=int(delivery_id[:12], 16))


def arrival_instant(now: datetime) -> datetime:
    """`now` cut to the millisecond: exactly what a delivery id records."""
    return now.astimezone(UTC).replace(microsecond=now.microsecond // 1000 * 1000)


def journal_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A delivery as journaled. `reason` is for operators and never holds personal data."""

    delivery_id: str
    partner_id: str
    received_at: datetime
    sha256: str
    source: DeliverySource = DeliverySource.MARKETPLACE
    status: JournalStatus = JournalStatus.RECEIVED
    lead_id: str | None = None
    reason: str | None = None
    attempts: int = 0
    processed_at: datetime | None = None
    body: bytes | None = None  # exactly as received; None when read without it
    etag: str | None = None

    @property
    def is_pending(self) -> bool:
        return self.status is JournalStatus.RECEIVED

    def settled(
        self,
        status: JournalStatus,
        *,
        now: datetime,
        attempts: int,
        lead_id: str | None = None,
        reason: str | None = None,
    ) -> JournalEntry:
        return replace(
            self,
            status=status,
            lead_id=lead_id,
            reason=reason,
            attempts=self.attempts + attempts,
            processed_at=now,
        )

    def reopened(self) -> JournalEntry:
        """Back to Received for a replay: the earlier outcome is dropped, the attempts kept."""
        return replace(self, status=JournalStatus.RECEIVED, lead_id=None, reason=None)


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """A delivery not yet processed whose relay time has come: what the relay re-queues."""

    delivery_id: str
    partner_id: str
    relays: int
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class QueueAttempt:
    """How often the queue has handed this message out (the first try is 1)."""

    dequeue_count: int
    max_dequeue_count: int

    @property
    def is_last(self) -> bool:
        return self.dequeue_count >= self.max_dequeue_count
