"""The ports behind the operators' pages: partners at a glance, poison queues, failed sends.

A partner's summary (last lead received, routing, failing webhooks) is kept where the event
happens, in one small row beside the partner's profile, so listing partners reads the Partners
table (profiles, summaries, users) and never a partner's leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.domain.notification import Notification
from shared.domain.partner import Partner
from shared.domain.recipients import EmailPreferences


@dataclass(frozen=True)
class PartnerSummary:
    """What the summary row says; its defaults until the events that set it happen."""

    last_lead_at: datetime | None = None
    # Written by lead routing and webhook delivery when they record their state: the one place
    # the operators' listing reads them from.
    routing_on: bool = False
    failing_webhooks: int = 0


@dataclass(frozen=True)
class PartnerRecord:
    """One partner as the operators' listing reads it: one partition of the Partners table."""

    partner: Partner
    summary: PartnerSummary
    users: Sequence[EmailPreferences]
    failed_notifications: int


@dataclass(frozen=True)
class PartnerRecords:
    records: list[PartnerRecord]
    last_partner_id: str | None  # where the next page starts after; None: no more


class PartnerOverviewStore(Protocol):
    def page(self, after: str | None, limit: int) -> PartnerRecords:
        """Up to `limit` partners in id order, after `after`: one range query."""
        ...

    def one(self, partner_id: str) -> PartnerRecord | None: ...


class PartnerActivity(Protocol):
    def lead_received(self, partner_id: str, at: datetime) -> None:
        """Note a new lead on the partner's summary; best effort, never raises."""
        ...


@dataclass(frozen=True)
class FailedNotification:
    partner_id: str
    notification_id: str
    kind: str
    lead_id: str | None
    reason: str
    failed_at: datetime
    retryable: bool
    notification: Notification | None  # None: not captured, rebuilt from the ledger on resend


@dataclass(frozen=True)
class FailedPage:
    items: list[FailedNotification]
    resume: tuple[str, str] | None  # (partner id, notification id) the next page starts after


class FailedNotifications(Protocol):
    def record(self, failed: FailedNotification) -> None: ...

    def page(self, partner_id: str | None, after: tuple[str, str] | None, limit: int) -> FailedPage:
        """Failed notifications, by partner then id: one range query."""
        ...

    def get(self, partner_id: str, notification_id: str) -> FailedNotification | None: ...

    def forget(self, partner_id: str, notification_id: str) -> None: ...

    def allow_retry(self, partner_id: str, notification_id: str) -> bool:
        """Mark the send ledger's Failed row retryable, so the notifier claims it again;
        False when the row is no longer Failed (sent or being sent meanwhile)."""
        ...

    def ledger_basics(self, partner_id: str, notification_id: str) -> dict[str, Any] | None:
        """Kind, lead id and creation time as the send ledger recorded them."""
        ...


@dataclass(frozen=True)
class QueuedMessage:
    message_id: str
    inserted_on: datetime | None
    expires_on: datetime | None
    dequeue_count: int
    body: str  # as the function receives it, decoded; may hold personal data: never log it


@dataclass
class QueueAction:
    matched: int = 0
    requeued: int = 0
    deleted: int = 0
    notes: list[str] = field(default_factory=list)


class PoisonQueues(Protocol):
    def depth(self, queue_name: str) -> int:
        """Approximate message count (as the service reports it); 0 for a missing queue."""
        ...

    def peek(self, queue_name: str, limit: int) -> list[QueuedMessage]: ...

    def requeue(self, poison: str, target: str, message_id: str | None, limit: int) -> QueueAction:
        """Move one message (by id) or up to `limit`, copy first, then delete."""
        ...

    def delete(self, poison: str, message_id: str | None) -> QueueAction: ...
