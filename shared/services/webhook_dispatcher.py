"""Fan the partners' event logs out to their webhook subscriptions, off the request path.

A change writes its event in its own batch and nothing else: webhooks cost the request no storage
round trip. This dispatcher (a timer every few seconds, and the ops job `dispatch-webhooks`)
reads each partner's log after the partner's dispatch cursor and puts one message per (event,
subscription) on the `webhook-deliveries` queue. The cursor moves only once the messages are on
the queue: a crash in between sends them again (at least once; receivers drop a repeated
`webhook-id`), never loses one.

One cursor per partner, not per subscription: a tick reads each log once, whatever the number of
subscriptions. A subscription takes the events that happened after it was created, so a new one
does not receive the partner's history.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import datetime
from typing import Any

from shared.domain.errors import ConcurrentModification
from shared.domain.webhooks import (
    MAX_INLINE_EVENT,
    DeliveryState,
    Subscription,
    WebhookMessage,
    event_time,
    stub,
)
from shared.services.event_ports import EventFeed
from shared.services.ports import Clock
from shared.services.webhook_ports import (
    DeliveryQueue,
    DeliveryRecord,
    DeliveryRecorder,
    SubscriptionStore,
)

logger = logging.getLogger(__name__)
DISPATCH_COUNTS = ("partners", "events", "deliveries", "conflicts")


class WebhookDispatcher:
    def __init__(
        self,
        *,
        store: SubscriptionStore,
        feed: EventFeed,
        queue: DeliveryQueue,
        log: DeliveryRecorder,
        clock: Clock,
        page_size: int = 100,
        events_per_partner: int = 2000,
        dry_run: bool = False,
    ) -> None:
        self._store = store
        self._feed = feed
        self._queue = queue
        self._log = log
        self._clock = clock
        self._page_size = page_size
        # Per run: a partner with a backlog continues at the next tick, the others are not
        # kept waiting behind it.
        self._events_per_partner = events_per_partner
        # A dry run reads the logs and cursors and counts what it would queue; it queues
        # nothing, records nothing and leaves every cursor where it was.
        self._dry_run = dry_run

    def run(self, as_of: datetime) -> dict[str, int]:
        """Dispatch what every partner's log holds now (`as_of` is unused: the log's end is
        what is due)."""
        counts: Counter[str] = Counter({name: 0 for name in DISPATCH_COUNTS})
        for partner_id, subscriptions in self._store.active_partners().items():
            counts["partners"] += 1
            self.dispatch_partner(partner_id, subscriptions, counts)
        return dict(counts)

    def dispatch_partner(
        self, partner_id: str, subscriptions: list[Subscription], counts: Counter[str]
    ) -> None:
        cursor, version = self._store.cursor(partner_id)
        read = 0
        while read < self._events_per_partner:
            page = self._feed.read_after(partner_id, cursor, limit=self._page_size)
            messages = [
                self._message(partner_id, subscription.id, item.cloud_event)
                for item in page.events
                for subscription in subscriptions
                if subscription.wants(
                    str(item.cloud_event.get("type", "")), event_time(item.cloud_event)
                )
            ]
            if messages and not self._dry_run:
                self._queue.enqueue(messages)  # raises before the cursor moves
            read += len(page.events)
            counts["events"] += len(page.events)
            counts["deliveries"] += len(messages)
            if page.next_cursor is not None and page.next_cursor != cursor and self._dry_run:
                cursor = page.next_cursor
            elif page.next_cursor is not None and page.next_cursor != cursor:
                try:
                    version = self._store.advance(partner_id, page.next_cursor, version)
                except ConcurrentModification:
                    # Another dispatch of this partner ran meanwhile: it goes on from there.
                    counts["conflicts"] += 1
                    return
                cursor = page.next_cursor
            if not page.has_more or not page.events:
                return

    def _message(
        self, partner_id: str, subscription_id: str, event: dict[str, Any]
    ) -> WebhookMessage:
        if self._dry_run or len(json.dumps(event, separators=(",", ":"))) <= MAX_INLINE_EVENT:
            return WebhookMessage(
                partner_id=partner_id, subscription_id=subscription_id, event=event
            )
        # Too large for a queue message: kept in its (Pending) log row, the message names it.
        now = self._clock.now()
        self._log.record(DeliveryRecord(
            partner_id=partner_id, subscription_id=subscription_id, event_id=str(event.get("id")),
            event_type=str(event.get("type", "")), event_time=event_time(event) or now,
            state=DeliveryState.PENDING, next_try_at=now, event=event,
        ))  # fmt: skip
        return WebhookMessage(partner_id=partner_id, subscription_id=subscription_id,
                              event=stub(event), stored=True)  # fmt: skip
