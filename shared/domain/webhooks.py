"""Webhook subscriptions and their deliveries: the vocabulary, the retry schedule, the message.

A subscription sends the partner's lead events to one URL, in one format: Standard Webhooks
signatures over the CloudEvent (`standard`), or a chat message for a Teams Workflows or Slack
incoming webhook. Each (event, subscription) is one delivery, retried on its own schedule, so one
failing endpoint never holds up another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from shared.domain.lead_values import ValueObject
from shared.domain.redelivery import Redelivery


class WebhookFormat(StrEnum):
    STANDARD = "standard"  # the CloudEvent as JSON, Standard Webhooks headers
    TEAMS = "teams"  # an Adaptive Card for a Teams Workflows webhook
    SLACK = "slack"  # a Block Kit message for a Slack incoming webhook


class DeliveryState(StrEnum):
    PENDING = "Pending"  # queued, or a retry is scheduled (`nextTryAt`)
    DELIVERED = "Delivered"  # the endpoint answered 2xx
    FAILED = "Failed"  # still failing after the last retry, or the subscription was disabled


# Waits after each failed attempt: about three days in all (67.6 h), then Failed. Fixed rather
# than the app's exponential policy: receivers read the schedule in the docs, as with the other
# Standard Webhooks senders.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    *(timedelta(hours=10),) * 6,
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# A receiver's own Retry-After is honoured up to this, never beyond the schedule's longest wait.
MAX_ASKED_WAIT = timedelta(hours=10)
# How long a rotated-out secret still signs: receivers switch within a day.
ROTATION_OVERLAP = timedelta(hours=24)


def retry_delay(failed_attempt: int, asked: timedelta | None = None) -> timedelta | None:
    """The wait after attempt number `failed_attempt` failed; None: that was the last one."""
    if failed_attempt < 1 or failed_attempt > len(RETRY_SCHEDULE):
        return None
    wait = RETRY_SCHEDULE[failed_attempt - 1]
    if asked is not None:
        wait = max(wait, min(asked, MAX_ASKED_WAIT))
    return wait


@dataclass(frozen=True, slots=True)
class SigningSecrets:
    """The subscription's current secret and, for a day after a rotation, the one before."""

    current: str
    previous: str | None = None
    previous_until: datetime | None = None

    def signing(self, now: datetime) -> tuple[str, ...]:
        if self.previous and self.previous_until and now < self.previous_until:
            return (self.current, self.previous)
        return (self.current,)


@dataclass(frozen=True, slots=True)
class Subscription:
    partner_id: str
    id: str
    url: str
    event_types: frozenset[str]  # empty: every lead event
    enabled: bool
    format: WebhookFormat
    description: str | None
    created_at: datetime
    secrets: SigningSecrets
    disabled_reason: str | None = None
    etag: str | None = None

    def wants(self, event_type: str, event_time: datetime | None) -> bool:
        """An enabled subscription takes events of its types that happened after it existed."""
        if not self.enabled:
            return False
        if self.event_types and event_type not in self.event_types:
            return False
        return event_time is None or event_time >= self.created_at


class WebhookMessage(ValueObject):
    """One delivery on the `webhook-deliveries` queue: the event itself (the structured-mode
    CloudEvent), for whom, and on a copy put back for a retry, the attempts before it."""

    partner_id: str = Field(min_length=1)
    subscription_id: str = Field(min_length=1)
    event: dict[str, Any]
    # A replay starts a fresh chain of attempts; the log keeps counting across them.
    replay: bool = False
    # The event was too large for a queue message: `event` holds only its id, type and time,
    # and the delivery reads the whole event from its log row.
    stored: bool = False
    redelivery: Redelivery | None = None

    @property
    def event_id(self) -> str:
        return str(self.event.get("id", ""))

    @property
    def event_type(self) -> str:
        return str(self.event.get("type", ""))

    @property
    def event_time(self) -> datetime | None:
        return event_time(self.event)

    @property
    def delivery_id(self) -> str:
        return delivery_id(self.event_time or datetime.fromtimestamp(0, UTC), self.event_id)


# A queue message holds 48 KiB of text; the rest of the message and base64 need some room.
MAX_INLINE_EVENT = 40_000


def stub(event: dict[str, Any]) -> dict[str, Any]:
    """What a message carries of an event kept in its log row: enough to name the row."""
    return {key: event[key] for key in ("id", "type", "time", "subject") if key in event}


def event_time(event: dict[str, Any]) -> datetime | None:
    """A CloudEvent's `time` (RFC 3339), None when absent or unreadable."""
    try:
        when = datetime.fromisoformat(str(event["time"]))
    except (KeyError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


_NEWEST_FIRST_BASE = 10**13  # milliseconds: past the year 2286
_KEY_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def delivery_id(event_time: datetime, event_id: str) -> str:
    """The delivery's id within its subscription: newest first by the event's time, then the
    event id (hashed when it holds characters a table key refuses)."""
    inverted = _NEWEST_FIRST_BASE - int(event_time.timestamp() * 1000)
    if not event_id or len(event_id) > 80 or not set(event_id) <= _KEY_SAFE:
        event_id = hashlib.sha256(event_id.encode()).hexdigest()[:32]
    return f"{inverted:013d}-{event_id}"


def newest_first_bound(instant: datetime) -> str:
    """The delivery-id prefix of `instant`: ids of later events sort before it."""
    return f"{_NEWEST_FIRST_BASE - int(instant.timestamp() * 1000):013d}"


def is_delivery_id(value: str) -> bool:
    head, sep, tail = value.partition("-")
    return (
        bool(sep)
        and len(head) == 13
        and head.isdigit()
        and 0 < len(tail) <= 80
        and set(tail) <= _KEY_SAFE
    )
