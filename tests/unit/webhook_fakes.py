"""Small fakes of the webhook ports (and of the event log's feed port) for unit tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.domain.errors import ConcurrentModification, DependencyUnavailable, NotFound
from shared.domain.webhooks import (
    SigningSecrets,
    Subscription,
    WebhookFormat,
    WebhookMessage,
    delivery_id,
)
from shared.services.event_ports import EVENT_TYPE_PREFIX, EventPage, StoredEvent
from shared.services.webhook_ports import DeliveryRecord

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def lead_event(n: int, kind: str = "received", *, at: datetime = T0) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"evt{n:04d}",
        "source": "/partners/contoso/leads",
        "type": EVENT_TYPE_PREFIX + kind,
        "subject": f"lead{n}",
        "time": (at + timedelta(seconds=n)).isoformat(),
        "datacontenttype": "application/json",
        "data": {"id": f"lead{n}", "customer": {"company": "Northwind"}, "hot": True,
                 "respondBy": "2027-03-15T09:00:00Z", "version": 1},
    }  # fmt: skip


@dataclass
class FakeFeed:
    """A partner's log as a list; cursors are positions, as opaque to the reader as any."""

    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reads: int = 0

    def read_after(
        self, partner_id: str, after: str | None, *, types: frozenset[str] | None = None,
        limit: int = 100,
    ) -> EventPage:  # fmt: skip
        self.reads += 1
        log = self.events.get(partner_id, [])
        start = int(after) if after else 0
        chosen = log[start : start + limit]
        stored = [StoredEvent(str(start + i + 1), event) for i, event in enumerate(chosen)]
        following = stored[-1].cursor if stored else after
        return EventPage(stored, following, start + len(chosen) < len(log))


def subscription(sub_id: str = "a" * 32, **changes: Any) -> Subscription:
    base = Subscription(
        partner_id="contoso", id=sub_id, url="https://crm.example.com/hook",
        event_types=frozenset(), enabled=True, format=WebhookFormat.STANDARD, description=None,
        created_at=T0 - timedelta(days=1), secrets=SigningSecrets(current="whsec_" + "A" * 43),
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


@dataclass
class FakeStore:
    subscriptions: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    cursors: dict[str, tuple[str, int]] = field(default_factory=dict)

    def put(self, *items: Subscription) -> FakeStore:
        for item in items:
            self.subscriptions[(item.partner_id, item.id)] = dataclasses.replace(item, etag="1")
        return self

    def of_partner(self, partner_id: str) -> list[Subscription]:
        return [s for (p, _), s in self.subscriptions.items() if p == partner_id]

    def get(self, partner_id: str, subscription_id: str) -> Subscription:
        try:
            return self.subscriptions[(partner_id, subscription_id)]
        except KeyError:
            raise NotFound("no such subscription") from None

    def add(self, subscription: Subscription) -> Subscription:
        self.put(subscription)
        return self.subscriptions[(subscription.partner_id, subscription.id)]

    def replace(self, subscription: Subscription) -> Subscription:
        current = self.get(subscription.partner_id, subscription.id)
        if current.etag != subscription.etag:
            raise ConcurrentModification("changed")
        saved = dataclasses.replace(subscription, etag=str(int(current.etag or "0") + 1))
        self.subscriptions[(subscription.partner_id, subscription.id)] = saved
        return saved

    def delete(self, partner_id: str, subscription_id: str) -> None:
        self.subscriptions.pop((partner_id, subscription_id), None)

    def active_partners(self) -> dict[str, list[Subscription]]:
        found: dict[str, list[Subscription]] = {}
        for (partner_id, _), item in self.subscriptions.items():
            if item.enabled:
                found.setdefault(partner_id, []).append(item)
        return found

    def cursor(self, partner_id: str) -> tuple[str | None, str | None]:
        cursor, version = self.cursors.get(partner_id, (None, 0))
        return cursor, str(version) if cursor else None

    def advance(self, partner_id: str, cursor: str, version: str | None) -> str | None:
        _, current = self.cursors.get(partner_id, (None, 0))
        if (str(current) if current else None) != version:
            raise ConcurrentModification("moved")
        self.cursors[partner_id] = (cursor, current + 1)
        return str(current + 1)


@dataclass
class FakeQueue:
    messages: list[WebhookMessage] = field(default_factory=list)
    down: bool = False

    def enqueue(self, messages: Sequence[WebhookMessage]) -> None:
        if self.down:
            raise DependencyUnavailable("queue down")
        self.messages.extend(messages)


@dataclass
class FakeLog:
    rows: dict[tuple[str, str, str], DeliveryRecord] = field(default_factory=dict)

    def record(self, entry: DeliveryRecord) -> None:
        key = (
            entry.partner_id,
            entry.subscription_id,
            delivery_id(entry.event_time, entry.event_id),
        )
        self.rows[key] = entry

    def find(self, partner_id: str, subscription_id: str, delivery: str) -> DeliveryRecord | None:
        return self.rows.get((partner_id, subscription_id, delivery))
