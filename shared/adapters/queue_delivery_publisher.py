"""Puts `{deliveryId, partnerId}` on the queue the delivery-processing function listens to."""

from __future__ import annotations

import contextlib
import json

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient

from shared.domain.errors import DependencyUnavailable

# One quick retry at most: this runs before the webhook is answered, and the delivery relay
# queues whatever the queue did not take.
_ONE_RETRY = {"retry_total": 1, "retry_connect": 1, "retry_read": 1}


class QueueDeliveryPublisher:
    def __init__(self, queue: QueueClient) -> None:
        self._queue = queue

    def publish(self, delivery_id: str, partner_id: str) -> None:
        self._send(json.dumps({"deliveryId": delivery_id, "partnerId": partner_id}))

    def publish_many(self, delivery_ids: list[str], partner_id: str) -> None:
        # 50 ids are under 2 KB: far below a message's 48 KiB of text.
        self._send(json.dumps({"deliveryIds": delivery_ids, "partnerId": partner_id}))

    def _send(self, message: str) -> None:
        try:
            try:
                self._queue.send_message(message, **_ONE_RETRY)
            except ResourceNotFoundError:
                with contextlib.suppress(ResourceExistsError):
                    self._queue.create_queue()
                self._queue.send_message(message, **_ONE_RETRY)
        except AzureError as error:
            raise DependencyUnavailable("The delivery queue did not take the message.") from error
