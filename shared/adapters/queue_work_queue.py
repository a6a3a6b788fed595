"""Puts work orders on the Storage queue the work function listens to (base64, as it expects)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient

from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.work_order import WorkOrder


class QueueWorkQueue:
    def __init__(self, queue: QueueClient) -> None:
        self._queue = queue

    def enqueue(self, orders: Sequence[WorkOrder]) -> None:
        with translate_storage_errors(otherwise="The work queue did not take the message."):
            for order in orders:
                self._send(order.model_dump_json(by_alias=True))

    def _send(self, message: str) -> None:
        try:
            self._queue.send_message(message)
        except ResourceNotFoundError:  # a fresh account or prefix: created on first use
            with contextlib.suppress(ResourceExistsError):
                self._queue.create_queue()
            self._queue.send_message(message)
