"""The send ledger's vocabulary: where one notification's delivery stands, and who may send it.

SendGrid has no idempotency, so "once" is ours to keep. A delivery first *claims* the
notification (a ledger row under an ETag, with a short lease), sends, then records the outcome.
A final outcome is never sent again; a lease stops a concurrent duplicate of the queue message
from sending while the owner is still at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.domain.redelivery import Redelivery


class DeliveryStatus(StrEnum):
    SENDING = "Sending"  # claimed: a worker holds the lease and is sending
    PENDING = "Pending"  # a transient failure: its retry is due at the lease's end
    SENT = "Sent"
    SKIPPED = "Skipped"  # nobody to tell (no recipient, no address, lead gone)
    HELD = "Held"  # a new lead past the day's threshold: it waits for the daily digest
    FAILED = "Failed"  # refused for good, or still failing when the retries gave up


FINAL_STATUSES = frozenset(
    {DeliveryStatus.SENT, DeliveryStatus.SKIPPED, DeliveryStatus.HELD, DeliveryStatus.FAILED}
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt at a queue message: its id, how often the host dequeued it, and, for a copy
    a handler put back to retry later, what it carries about the attempts before it."""

    message_id: str
    dequeue_count: int
    redelivery: Redelivery | None = None

    @classmethod
    def of(
        cls, message_id: str | None, dequeue_count: int | None, redelivery: Redelivery | None
    ) -> Delivery:
        """From what the queue trigger reports; the first try counts as 1."""
        return cls(message_id or "", dequeue_count or 1, redelivery)

    def is_last(self, max_dequeue_count: int) -> bool:
        """The host's own last attempt: failing now moves the message to the poison queue."""
        return self.dequeue_count >= max_dequeue_count

    @property
    def owner(self) -> str:
        """Who holds a lease: the chain of copies, so the retry of a delivery is its owner."""
        return self.redelivery.chain if self.redelivery else self.message_id

    @property
    def attempt(self) -> int:
        first = self.redelivery.attempt if self.redelivery else 1
        return first + self.dequeue_count - 1

    def first_attempt_at(self, now: datetime) -> datetime:
        return self.redelivery.first_attempt_at if self.redelivery else now

    def next(self, now: datetime) -> Redelivery:
        """What the copy for the next attempt carries."""
        return Redelivery(
            attempt=self.attempt + 1, first_attempt_at=self.first_attempt_at(now), chain=self.owner
        )


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
        """Whether this delivery may (re)try sending now.

        A Sending entry leased to another owner belongs to a concurrent duplicate: that delivery
        keeps its own message until it succeeds or fails, so this one can stand down. The same
        owner coming back (its retry) or an expired lease (a crashed owner) may take over.
        A Pending entry waits for its retry (the copy put back by its owner) until `lease_until`:
        any other copy meanwhile (a relay, a replay) stands down, so one notification never has
        two retry chains. A Failed entry the retries gave up on may be tried again when an
        operator puts its poison message back on the queue.
        """
        expired = self.lease_until is None or now >= self.lease_until
        if self.status is DeliveryStatus.PENDING:
            return expired
        if self.status is DeliveryStatus.FAILED:
            return self.retryable
        if self.status is DeliveryStatus.SENDING:
            return expired or message_id == self.lease_message_id
        return False

    def retry_due_in(self, *, now: datetime, message_id: str) -> timedelta | None:
        """For the owner's own retry arriving before its time (clocks differ a little): how
        long it still has to wait. None for anyone else, or when it is time."""
        if self.status is not DeliveryStatus.PENDING or self.lease_until is None:
            return None
        if message_id != self.lease_message_id or now >= self.lease_until:
            return None
        return self.lease_until - now


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
