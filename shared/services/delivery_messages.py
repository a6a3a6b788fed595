"""One message of the deliveries queue: land each delivery it names, and retry what failed.

A failure that may pass (storage out, a race lost too often) is retried with back-off through a
copy of the message naming only the deliveries still to land (`shared.domain.redelivery`), so an
outage of minutes or hours heals by itself instead of spending the host's five quick attempts.
Once the retries are given up (`QUEUE_RETRY_GIVE_UP_HOURS`), those deliveries are Quarantined
in the journal for an operator's replay: never dropped, never silently in a poison queue.
"""

from __future__ import annotations

import logging

from shared.domain.delivery import Delivery
from shared.domain.errors import DependencyUnavailable
from shared.domain.intake_journal import DeliveryMessage
from shared.services.delivery_processor import DeliveryProcessor
from shared.services.log_fields import log_fields
from shared.services.ports import Clock
from shared.services.retries import Retries

logger = logging.getLogger(__name__)


class DeliveryMessages:
    def __init__(
        self,
        *,
        processor: DeliveryProcessor,
        retries: Retries,
        clock: Clock,
        max_dequeue_count: int,
    ) -> None:
        self._processor = processor
        self._retries = retries
        self._clock = clock
        self._max_dequeue_count = max_dequeue_count

    def handle(self, message: DeliveryMessage, delivery: Delivery) -> dict[str, int]:
        """Counts of what became of the message's deliveries: landed (or settled before),
        deferred (retried later), quarantined. Raises only when neither a retry nor the
        quarantine could be written, so that the host retries the message itself."""
        failing: list[str] = []
        error: DependencyUnavailable | None = None
        for delivery_id in message.delivery_ids:  # a retry skips those already settled
            try:
                self._processor.process(delivery_id, attempts=delivery.attempt)
            except DependencyUnavailable as failure:
                failing.append(delivery_id)
                error = failure
        landed = len(message.delivery_ids) - len(failing)
        if error is None:
            return {"landed": landed, "deferred": 0, "quarantined": 0}
        return {"landed": landed, **self._retry_later(message, failing, delivery, error)}

    def _retry_later(
        self,
        message: DeliveryMessage,
        failing: list[str],
        delivery: Delivery,
        error: DependencyUnavailable,
    ) -> dict[str, int]:
        now = self._clock.now()
        first_attempt_at = delivery.first_attempt_at(now)
        retry = self._retries.after(
            error, attempt=delivery.attempt, first_attempt_at=first_attempt_at, now=now
        )
        if not retry.give_up:
            following = message.model_copy(
                update={"delivery_ids": tuple(failing), "redelivery": delivery.next(now)}
            )
            try:
                self._retries.queue.later(following, retry.delay)
            except DependencyUnavailable:
                if not delivery.is_last(self._max_dequeue_count):
                    raise  # the host retries the whole message; settled ones are skipped
            else:
                logger.warning(
                    "Deliveries %s failed on attempt %d: %s; retried in %.1f s",
                    ", ".join(failing), delivery.attempt, error.detail,
                    retry.delay.total_seconds(),
                    extra=_fields("delivery.retried", message, failing, delivery),
                )  # fmt: skip
                return {"deferred": len(failing), "quarantined": 0}
        logger.error(
            "Deliveries %s still failing on attempt %d: %s; quarantined",
            ", ".join(failing), delivery.attempt, error.detail,
            extra=_fields("delivery.gave_up", message, failing, delivery),
        )  # fmt: skip
        for delivery_id in failing:
            self._processor.quarantine(delivery_id, error, attempts=delivery.attempt)
        return {"deferred": 0, "quarantined": len(failing)}


def _fields(
    event: str, message: DeliveryMessage, failing: list[str], delivery: Delivery
) -> dict[str, str | int]:
    # One record names every delivery of the message: the first as `delivery_id`, all in text.
    return log_fields(
        event,
        partner_id=message.partner_id,
        delivery_id=failing[0] if failing else None,
        deliveries=len(failing),
        attempt=delivery.attempt,
    )
