"""The ports of webhook subscriptions and deliveries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from shared.domain.webhooks import DeliveryState, Subscription, WebhookMessage


class SubscriptionStore(Protocol):
    def of_partner(self, partner_id: str) -> list[Subscription]: ...

    def get(self, partner_id: str, subscription_id: str) -> Subscription:
        """`NotFound` when the partner has no such subscription."""
        ...

    def add(self, subscription: Subscription) -> Subscription: ...

    def replace(self, subscription: Subscription) -> Subscription:
        """Write under `subscription.etag`; `ConcurrentModification` if it changed meanwhile."""
        ...

    def delete(self, partner_id: str, subscription_id: str) -> None: ...

    def active_partners(self) -> dict[str, list[Subscription]]:
        """Every partner with an enabled subscription, with its enabled subscriptions."""
        ...

    def cursor(self, partner_id: str) -> tuple[str | None, str | None]:
        """Where the partner's dispatch stands in its event log, and that record's version."""
        ...

    def advance(self, partner_id: str, cursor: str, version: str | None) -> str | None:
        """Store the dispatch cursor under `version`; the new version. `ConcurrentModification`
        if another dispatch moved it meanwhile."""
        ...


class DeliveryQueue(Protocol):
    def enqueue(self, messages: Sequence[WebhookMessage]) -> None:
        """Put every message on the queue; `DependencyUnavailable` if any did not go."""
        ...


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One (event, subscription) delivery as its log shows it."""

    partner_id: str
    subscription_id: str
    event_id: str
    event_type: str
    event_time: datetime
    state: DeliveryState
    attempts: int = 0
    last_status: int | None = None
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    next_try_at: datetime | None = None
    event: Mapping[str, object] | None = None  # the CloudEvent, kept for a replay


class DeliveryRecorder(Protocol):
    def record(self, entry: DeliveryRecord) -> None:
        """Upsert the delivery's row (with its event, so a replay can send it again)."""
        ...


class DeliveryLog(DeliveryRecorder, Protocol):
    def find(
        self, partner_id: str, subscription_id: str, delivery_id: str
    ) -> DeliveryRecord | None:
        """One point read: `delivery_id` as `shared.domain.webhooks.delivery_id` makes it."""
        ...

    def recent(
        self, partner_id: str, subscription_id: str, *, limit: int, before: str | None
    ) -> tuple[list[DeliveryRecord], str | None]:
        """Newest first, at most `limit`, after the delivery id `before`; and the last id
        returned when there may be more."""
        ...

    def failed_since(
        self, partner_id: str, subscription_id: str, since: datetime, *, limit: int
    ) -> list[DeliveryRecord]: ...


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the endpoint answered: a status (None: no answer, `error` says why)."""

    status: int | None
    error: str | None = None
    retry_after: timedelta | None = None
    refused: bool = False  # the target is not allowed (SSRF rules): no request was made

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST once, within the timeout, no redirects followed, never raising for the
        endpoint's failures."""
        ...


class SecretBox(Protocol):
    """Keeps signing secrets unreadable in storage, yet usable to sign."""

    def seal(self, secret: str) -> str: ...

    def open(self, sealed: str) -> str: ...
