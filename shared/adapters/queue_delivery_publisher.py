"""Puts `DeliveryMessage`s (ids, never bodies) on the queue the delivery processing listens to."""

from __future__ import annotations

from azure.storage.queue import QueueClient

from shared.adapters.queue_messages import message_text, send_creating_queue
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.intake_journal import DeliveryMessage

# One quick retry at most: this runs before the webhook is answered, and the delivery relay
# queues whatever the queue did not take.
_ONE_RETRY = {"retry_total": 1, "retry_connect": 1, "retry_read": 1}


class QueueDeliveryPublisher:
    def __init__(self, queue: QueueClient) -> None:
        self._queue = queue

    def publish(self, delivery_id: str, partner_id: str) -> None:
        self._send(DeliveryMessage(delivery_ids=(delivery_id,), partner_id=partner_id))

    def publish_many(self, delivery_ids: list[str], partner_id: str) -> None:
        self._send(DeliveryMessage(delivery_ids=tuple(delivery_ids), partner_id=partner_id))

    def _send(self, message: DeliveryMessage) -> None:
        text = message_text(message, exclude_none=True)
        with translate_storage_errors(otherwise="The delivery queue did not take the message."):
            send_creating_queue(self._queue, text, **_ONE_RETRY)
