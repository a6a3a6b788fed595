"""One message of the `webhook-deliveries` queue: send one event to one subscription, once.

Only a 2xx answer is a delivery. Anything else (an error status, a timeout, a refused target)
is retried on `RETRY_SCHEDULE` through a copy of the message put back on the queue with a
visibility delay (the `Redeliveries` port the other queues use), so nothing sleeps and one
endpoint's failures never hold another's deliveries: each (event, subscription) is its own
message. After the last retry the delivery is Failed (replayable). A 410 Gone disables the
subscription: the receiver said it is gone for good.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from shared.domain.delivery import Delivery
from shared.domain.errors import ConcurrentModification, NotFound
from shared.domain.webhooks import DeliveryState, Subscription, WebhookMessage, retry_delay
from shared.services.log_fields import log_fields
from shared.services.metrics import record_webhook_delivery
from shared.services.partner_summary import PartnerSummary, note_failing_webhooks
from shared.services.ports import Clock
from shared.services.retries import Redeliveries
from shared.services.webhook_payloads import outgoing
from shared.services.webhook_ports import (
    DeliveryLog,
    DeliveryRecord,
    SecretBox,
    SendResult,
    SubscriptionStore,
    WebhookSender,
)

logger = logging.getLogger(__name__)
GONE = 410
DISABLED = "Disabled"  # the webhook metric's outcome when a 410 stops a subscription


class WebhookDeliveries:
    def __init__(
        self,
        *,
        store: SubscriptionStore,
        log: DeliveryLog,
        sender: WebhookSender,
        box: SecretBox,
        redeliveries: Redeliveries,
        clock: Clock,
        ui_base_url: str,
        summary: PartnerSummary | None = None,
    ) -> None:
        self._summary = summary  # the operators' view of the partner
        self._store = store
        self._log = log
        self._sender = sender
        self._box = box
        self._redeliveries = redeliveries
        self._clock = clock
        self._ui_base_url = ui_base_url

    def handle(self, message: WebhookMessage, delivery: Delivery) -> DeliveryState | None:
        """Send, record, and schedule the retry; None when there was nothing to do (the
        subscription is gone, or a duplicate of a delivered message)."""
        try:
            subscription = self._store.get(message.partner_id, message.subscription_id)
        except NotFound:
            return None  # deleted with its log: nobody to deliver to
        due = self._due(message, delivery)
        if due is None:
            return None
        message, attempts = due
        now = self._clock.now()
        if not subscription.enabled:
            result = SendResult(status=None, error="The subscription is disabled.")
            return self._record(message, DeliveryState.FAILED, attempts, result)
        secrets = tuple(self._box.open(s) for s in subscription.secrets.signing(now))
        out = outgoing(message.event, subscription.format, secrets=secrets, now=now,
                       ui_base_url=self._ui_base_url)  # fmt: skip
        result = self._sender.send(subscription.url, out.body, out.headers)
        if result.delivered:
            return self._record(message, DeliveryState.DELIVERED, attempts, result)
        if result.status == GONE:
            self._disable(subscription, now.isoformat())
            return self._record(message, DeliveryState.FAILED, attempts, result)
        return self._retry(message, delivery, attempts, result)

    def _due(
        self, message: WebhookMessage, delivery: Delivery
    ) -> tuple[WebhookMessage, int] | None:
        """The message to send (with its event) and the attempt's number in the log; None when
        it was delivered already (the queue delivered the message twice)."""
        # A first try of a fresh message has no row to read (one storage round trip saved per
        # delivery); a dequeued-again message, a retry, a replay or a stored event has.
        first_try = delivery.dequeue_count <= 1 and message.redelivery is None
        before = None
        if not first_try or message.replay or message.stored:
            before = self._log.find(message.partner_id, message.subscription_id,
                                    message.delivery_id)  # fmt: skip
        if before is not None and before.state is DeliveryState.DELIVERED and not message.replay:
            return None
        if message.stored:  # too large for the queue: the event is in its log row
            if before is None or before.event is None:
                logger.error(
                    "Webhook delivery %s names an event its log lacks", message.delivery_id
                )
                return None
            message = message.model_copy(update={"event": dict(before.event), "stored": False})
        return message, (before.attempts + 1) if before else delivery.attempt

    def _retry(
        self, message: WebhookMessage, delivery: Delivery, attempts: int, result: SendResult
    ) -> DeliveryState:
        now = self._clock.now()
        delay = retry_delay(delivery.attempt, result.retry_after)
        logger.warning(
            "Webhook delivery %s to subscription %s failed on attempt %d (%s)%s",
            message.delivery_id, message.subscription_id, delivery.attempt,
            result.status or result.error,
            "; gave up" if delay is None else f"; retried in {delay.total_seconds():.0f} s",
        )  # fmt: skip
        if delay is None:
            return self._record(message, DeliveryState.FAILED, attempts, result)
        following = message.model_copy(update={"redelivery": delivery.next(now), "replay": False})
        self._redeliveries.later(following, delay)  # raises: the host retries the message
        return self._record(message, DeliveryState.PENDING, attempts, result, next_try=now + delay)

    def _record(
        self,
        message: WebhookMessage,
        state: DeliveryState,
        attempts: int,
        result: SendResult,
        *,
        next_try: datetime | None = None,
    ) -> DeliveryState:
        now = self._clock.now()
        self._log.record(
            DeliveryRecord(
                partner_id=message.partner_id,
                subscription_id=message.subscription_id,
                event_id=message.event_id,
                event_type=message.event_type,
                event_time=message.event_time or now,
                state=state,
                attempts=attempts,
                last_status=result.status,
                last_error=result.error,
                last_attempt_at=now,
                next_try_at=next_try,
                event=message.event,
            )
        )
        record_webhook_delivery(state.value)
        return state

    def _disable(self, subscription: Subscription, when: str) -> None:
        reason = f"The endpoint answered 410 Gone at {when}: delivery stopped."
        current = subscription
        for _ in range(3):
            try:
                self._store.replace(dataclasses.replace(current, enabled=False,
                                                        disabled_reason=reason))  # fmt: skip
                note_failing_webhooks(self._summary, self._store, subscription.partner_id)
                record_webhook_delivery(DISABLED)
                logger.warning(
                    "Webhook subscription %s disabled: its endpoint answered 410 Gone",
                    subscription.id,
                    extra=log_fields(
                        "webhook.disabled",
                        partner_id=subscription.partner_id,
                        subscription_id=subscription.id,
                    ),
                )
                return
            except ConcurrentModification:
                current = self._store.get(subscription.partner_id, subscription.id)
        logger.warning("Could not disable webhook subscription %s after a 410", subscription.id)
