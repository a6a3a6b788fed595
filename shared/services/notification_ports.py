"""The ports of the notification use cases. Adapters implement them; unit tests fake them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from shared.domain.delivery import Completion, FeedItem, LedgerEntry
from shared.domain.notification import Notification
from shared.domain.recipients import EmailPreferences


@dataclass(frozen=True, slots=True)
class EmailMessage:
    """One email to one or more recipients; each recipient sees only their own address."""

    notification_id: str
    kind: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class EmailSender(Protocol):
    def send(self, message: EmailMessage) -> str | None:
        """Hand the email to the provider; answers the provider's message id, if any.

        Raises `DependencyUnavailable` when a later try may succeed (throttled, provider down,
        timeout) and `DeliveryRejected` when it never will (a bad address or request).
        """
        ...


class EmailRenderer(Protocol):
    def render(self, template: str, context: Mapping[str, Any]) -> RenderedEmail: ...


class SendLedger(Protocol):
    """Each notification's delivery record, in its partner's partition (lead_rows.py, `S|`)."""

    def find(self, partner_id: str, notification_id: str) -> LedgerEntry | None: ...

    def claim(
        self,
        notification: Notification,
        previous: LedgerEntry | None,
        *,
        lease_until: datetime,
        message_id: str,
        feed: FeedItem | None,
    ) -> LedgerEntry:
        """Take the lease (and write the feed entry, once); `ConcurrentModification` if another
        delivery claimed or changed it since `previous` was read."""
        ...

    def release(self, entry: LedgerEntry, *, reason: str, retry_at: datetime) -> None:
        """After a transient failure: Pending, leased to the same owner until `retry_at` (when
        its retry is due), so no other copy of the message sends it before then."""
        ...

    def complete(self, entry: LedgerEntry, completion: Completion) -> None:
        """Record the final outcome and clear the notification's outbox row, in one batch."""
        ...


class DailyCounter(Protocol):
    def take_slot(
        self, partner_id: str, day: date, notification_id: str, limit: int, *, recipient: str = ""
    ) -> bool:
        """Count a new-lead email against the partner's day; False once `limit` were counted.

        Exact under concurrency, and the same notification asking again gets the same answer.
        """
        ...


class PreferenceStore(Protocol):
    def get(self, partner_id: str, user_id: str) -> EmailPreferences | None: ...

    def put(self, partner_id: str, preferences: EmailPreferences) -> EmailPreferences: ...

    def for_partner(self, partner_id: str) -> list[EmailPreferences]: ...


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[FeedItem]
    next_key: str | None  # the last key returned, when more follow


class FeedReader(Protocol):
    def page(self, partner_id: str, *, after: str | None, limit: int) -> FeedPage:
        """Feed entries newest first, strictly after the key `after`."""
        ...
