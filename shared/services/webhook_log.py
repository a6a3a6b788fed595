"""A subscription's delivery log, its replay, and the test event (ping)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import replace

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from shared.domain.errors import InvalidInput, NotFound
from shared.domain.principal import PARTNER_ACTORS, Principal
from shared.domain.webhooks import (
    DeliveryState,
    Subscription,
    WebhookMessage,
    delivery_id,
    is_delivery_id,
)
from shared.services.event_ports import PING_EVENT_TYPE
from shared.services.ports import Clock
from shared.services.webhook_models import (
    DeliveryPage,
    DeliveryQueryParams,
    DeliveryView,
    PingReceipt,
    ReplayReport,
    ReplayWebhookDeliveries,
)
from shared.services.webhook_ports import (
    DeliveryLog,
    DeliveryQueue,
    DeliveryRecord,
    SubscriptionStore,
)

MAX_REPLAY = 500  # one call replays at most this many; replay again for more


def delivery_view(record: DeliveryRecord) -> DeliveryView:
    return DeliveryView(
        id=delivery_id(record.event_time, record.event_id),
        event_id=record.event_id,
        event_type=record.event_type,
        event_time=record.event_time,
        status=record.state,
        attempts=record.attempts,
        last_status_code=record.last_status,
        last_error=record.last_error,
        last_attempt_at=record.last_attempt_at,
        next_try_at=record.next_try_at,
    )


class WebhookLog:
    def __init__(
        self, *, store: SubscriptionStore, log: DeliveryLog, queue: DeliveryQueue, clock: Clock
    ) -> None:
        self._store = store
        self._log = log
        self._queue = queue
        self._clock = clock

    def deliveries(
        self, principal: Principal, subscription_id: str, query: DeliveryQueryParams
    ) -> DeliveryPage:
        subscription = self._subscription(principal, subscription_id)
        records, following = self._log.recent(
            subscription.partner_id, subscription.id,
            limit=query.page_size, before=_read_token(query.continuation_token),
        )  # fmt: skip
        token = base64.urlsafe_b64encode(following.encode()).decode() if following else None
        return DeliveryPage(items=[delivery_view(r) for r in records], continuation_token=token)

    def replay(
        self, principal: Principal, subscription_id: str, command: ReplayWebhookDeliveries
    ) -> ReplayReport:
        subscription = self._subscription(principal, subscription_id)
        partner_id = subscription.partner_id
        if command.delivery_id is not None:
            found = None
            if is_delivery_id(command.delivery_id):
                found = self._log.find(partner_id, subscription.id, command.delivery_id)
            if found is None:
                raise NotFound("No such delivery for this subscription.")
            records = [found]
        else:
            assert command.since is not None  # noqa: S101  # the model requires one of the two
            records = self._log.failed_since(
                partner_id, subscription.id, command.since, limit=MAX_REPLAY
            )
        messages = [
            WebhookMessage(partner_id=partner_id, subscription_id=subscription.id,
                           event=dict(record.event), replay=True)
            for record in records if record.event is not None
        ]  # fmt: skip
        self._queue_and_record(records, messages)
        return ReplayReport(queued=len(messages))

    def ping(self, principal: Principal, subscription_id: str) -> PingReceipt:
        """A test event through the same queue, retries and log as the real ones."""
        subscription = self._subscription(principal, subscription_id)
        now = self._clock.now()
        event = CloudEvent(
            attributes={
                "id": uuid.uuid4().hex,
                "source": f"/partners/{subscription.partner_id}/webhooks",
                "type": PING_EVENT_TYPE,
                "subject": subscription.id,
                "time": now,
                "datacontenttype": "application/json",
            },
            data={"subscriptionId": subscription.id, "message": "Ping: the endpoint works."},
        )
        structured = json.loads(JSONFormat().write(event))
        message = WebhookMessage(
            partner_id=subscription.partner_id, subscription_id=subscription.id, event=structured
        )
        record = DeliveryRecord(
            partner_id=subscription.partner_id, subscription_id=subscription.id,
            event_id=message.event_id, event_type=PING_EVENT_TYPE, event_time=now,
            state=DeliveryState.PENDING, next_try_at=now, event=structured,
        )  # fmt: skip
        self._queue_and_record([record], [message])
        return PingReceipt(delivery_id=message.delivery_id, status=DeliveryState.PENDING)

    def _queue_and_record(
        self, records: list[DeliveryRecord], messages: list[WebhookMessage]
    ) -> None:
        now = self._clock.now()
        for record in records:  # shown Pending at once; the delivery records what follows
            self._log.record(replace(record, state=DeliveryState.PENDING, next_try_at=now))
        if messages:
            self._queue.enqueue(messages)

    def _subscription(self, principal: Principal, subscription_id: str) -> Subscription:
        partner_id = principal.require_partner(PARTNER_ACTORS)
        return self._store.get(partner_id, subscription_id)


def _read_token(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("The continuation token is not one this API gave.") from None
