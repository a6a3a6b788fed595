"""The send ledger's vocabulary: where one notification's delivery stands, and who may send it.

SendGrid has no idempotency, so "once" is ours to keep. A delivery first *claims* the
notification (a ledger row under an ETag, with a short lease), sends, then records the outcome.
A final outcome is never sent again; a lease stops a concurrent duplicate of the queue message
from sending while the owner is still at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class DeliveryStatus(StrEnum):
    SENDING = "Sending"  # claimed: a worker holds the lease and is sending
    PENDING = "Pending"  # a transient failure released the lease; the queue retries
    SENT = "Sent"
    SKIPPED = "Skipped"  # nobody to tell (no recipient, no address, lead gone)
    HELD = "Held"  # a new lead past the day's threshold: it waits for the daily digest
    FAILED = "Failed"  # refused for good, or still failing on the queue's last attempt


FINAL_STATUSES = frozenset(
    {DeliveryStatus.SENT, DeliveryStatus.SKIPPED, DeliveryStatus.HELD, DeliveryStatus.FAILED}
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt of the queue at a message: its id and how often it was dequeued."""

    message_id: str
    dequeue_count: int

    def is_last(self, max_dequeue_count: int) -> bool:
        return self.dequeue_count >= max_dequeue_count


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    partner_id: str
    notification_id: str
    status: DeliveryStatus
    attempts: int = 0
    retryable: bool = False  # a Failed entry whose cause may pass (the queue gave up on it)
    lease_until: datetime | None = None
    lease_message_id: str | None = None
    etag: str | None = None

    def may_claim(self, *, now: datetime, message_id: str) -> bool:
        """Whether this delivery may (re)try sending.

        A Sending entry leased to another queue message belongs to a concurrent duplicate: that
        delivery keeps its own message until it succeeds or fails, so this one can stand down.
        The same message coming back (the owner's retry) or an expired lease (a crashed owner)
        may take over. A Failed entry the queue gave up on may be retried when an operator puts
        its poison message back on the queue.
        """
        if self.status is DeliveryStatus.PENDING:
            return True
        if self.status is DeliveryStatus.FAILED:
            return self.retryable
        if self.status is DeliveryStatus.SENDING:
            expired = self.lease_until is None or now >= self.lease_until
            return expired or message_id == self.lease_message_id
        return False


@dataclass(frozen=True, slots=True)
class HeldLead:
    """A new lead kept for its partner's daily digest: the partner's calendar day, the lead."""

    day: date
    lead_id: str


@dataclass(frozen=True, slots=True)
class HeldDay:
    """A partner-day's leads still held for a digest, and the version of the day's release
    record they were listed under (None before its first digest): a release is made on
    condition of that version, so two runs cannot both release the same lead."""

    day: date
    lead_ids: tuple[str, ...]
    version: str | None


@dataclass(frozen=True, slots=True)
class Completion:
    """How a claimed delivery ended. `reason` is for operators and never holds personal data."""

    status: DeliveryStatus
    reason: str | None = None
    retryable: bool = False
    provider_message_id: str | None = None
    recipients: int = 0
    hold: HeldLead | None = None


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a partner's in-app feed. The title names company and offer, no contacts."""

    notification_id: str
    kind: str
    lead_id: str | None
    title: str
    created_at: datetime
