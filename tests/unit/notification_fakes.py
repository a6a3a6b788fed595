"""Small in-memory fakes of the notification ports, with the storage semantics the notifier
relies on: a claim is conditional (first create wins, then ETags), a count is exact."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from shared.domain.delivery import Completion, DeliveryStatus, FeedItem, HeldLead, LedgerEntry
from shared.domain.errors import (
    ConcurrentModification,
    DeliveryRejected,
    DeliveryUncertain,
    DependencyUnavailable,
)
from shared.domain.notification import Notification
from shared.domain.recipients import EmailPreferences
from shared.services.notification_ports import EmailMessage


@dataclass
class InMemorySendLedger:
    entries: dict[tuple[str, str], LedgerEntry] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    feed: dict[str, FeedItem] = field(default_factory=dict)
    held: list[HeldLead] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # outbox rows cleared
    unavailable: bool = False  # storage is down: every read fails
    failing_completions: int = 0  # the next completions fail as storage would
    _versions: itertools.count[int] = field(default_factory=itertools.count)

    def find(self, partner_id: str, notification_id: str) -> LedgerEntry | None:
        if self.unavailable:
            raise DependencyUnavailable("Storage answered 503; try again shortly.")
        return self.entries.get((partner_id, notification_id))

    def claim(
        self,
        notification: Notification,
        previous: LedgerEntry | None,
        *,
        lease_until: datetime,
        message_id: str,
        feed: FeedItem | None,
    ) -> LedgerEntry:
        key = (notification.partner_id, notification.id)
        current = self.entries.get(key)
        if (previous is None) != (current is None) or (
            previous is not None and current is not None and previous.etag != current.etag
        ):
            raise ConcurrentModification("claimed")
        entry = LedgerEntry(
            partner_id=notification.partner_id,
            notification_id=notification.id,
            status=DeliveryStatus.SENDING,
            attempts=(previous.attempts if previous else 0) + 1,
            lease_until=lease_until,
            lease_message_id=message_id,
            etag=f"v{next(self._versions)}",
        )
        self.entries[key] = entry
        if feed is not None:
            self.feed[feed.notification_id] = feed
        return entry

    def release(self, entry: LedgerEntry, *, reason: str, retry_at: datetime) -> None:
        key = (entry.partner_id, entry.notification_id)
        if self.entries[key].etag == entry.etag:
            pending = replace(entry, status=DeliveryStatus.PENDING, lease_until=retry_at)
            self._store(key, pending)
            self.reasons[entry.notification_id] = reason

    def complete(self, entry: LedgerEntry, completion: Completion) -> None:
        if self.failing_completions:
            self.failing_completions -= 1
            raise DependencyUnavailable("Storage did not answer; try again shortly.")
        key = (entry.partner_id, entry.notification_id)
        if completion.status is not DeliveryStatus.SENT and self.entries[key].etag != entry.etag:
            return
        final = replace(entry, status=completion.status, retryable=completion.retryable)
        self._store(key, final)
        self.reasons[entry.notification_id] = completion.reason or ""
        if completion.hold is not None:
            self.held.append(completion.hold)
        self.completed.append(entry.notification_id)

    def status(self, notification: Notification) -> DeliveryStatus | None:
        entry = self.find(notification.partner_id, notification.id)
        return entry.status if entry else None

    def _store(self, key: tuple[str, str], entry: LedgerEntry) -> None:
        self.entries[key] = replace(entry, etag=f"v{next(self._versions)}")


@dataclass
class InMemoryDailyCounter:
    counted: dict[tuple[str, date], list[str]] = field(default_factory=dict)
    by_recipient: dict[tuple[str, date, str], list[str]] = field(default_factory=dict)

    def take_slot(
        self, partner_id: str, day: date, notification_id: str, limit: int, *, recipient: str = ""
    ) -> bool:
        ids = (
            self.by_recipient.setdefault((partner_id, day, recipient), [])
            if recipient
            else self.counted.setdefault((partner_id, day), [])
        )
        if notification_id in ids:
            return True
        if len(ids) >= limit:
            return False
        ids.append(notification_id)
        return True


@dataclass
class ScriptedEmailSender:
    """Sends, or fails as scripted: "transient" (5xx), "throttled" (429 asking for 90 s),
    "timeout" (no answer: it may have gone) or "rejected" (a 4xx)."""

    sent: list[EmailMessage] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    calls: int = 0

    def send(self, message: EmailMessage) -> str | None:
        self.calls += 1
        outcome = self.script.pop(0) if self.script else "ok"
        if outcome == "transient":
            raise DependencyUnavailable("SendGrid answered 500; retry later.")
        if outcome == "throttled":
            raise DependencyUnavailable("SendGrid answered 429.", retry_after=timedelta(seconds=90))
        if outcome == "timeout":
            raise DeliveryUncertain("SendGrid did not answer (TimeoutError).")
        if outcome == "rejected":
            raise DeliveryRejected("SendGrid refused the email (400).")
        self.sent.append(message)
        return f"sg-{len(self.sent)}"


@dataclass
class InMemoryPreferenceStore:
    rows: dict[tuple[str, str], EmailPreferences] = field(default_factory=dict)

    def get(self, partner_id: str, user_id: str) -> EmailPreferences | None:
        return self.rows.get((partner_id, user_id))

    def put(self, partner_id: str, preferences: EmailPreferences) -> EmailPreferences:
        self.rows[(partner_id, preferences.user_id)] = preferences
        return preferences

    def for_partner(self, partner_id: str) -> list[EmailPreferences]:
        return [p for (partner, _), p in self.rows.items() if partner == partner_id]
