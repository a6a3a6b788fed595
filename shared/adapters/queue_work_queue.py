"""Puts work orders on the Storage queue the work function listens to (base64, as it expects)."""

from __future__ import annotations

from collections.abc import Sequence

from azure.storage.queue import QueueClient

from shared.adapters.queue_messages import message_text, send_creating_queue
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.work_order import WorkOrder


class QueueWorkQueue:
    def __init__(self, queue: QueueClient) -> None:
        self._queue = queue

    def enqueue(self, orders: Sequence[WorkOrder]) -> None:
        with translate_storage_errors(otherwise="The work queue did not take the message."):
            for order in orders:
                send_creating_queue(self._queue, message_text(order))
