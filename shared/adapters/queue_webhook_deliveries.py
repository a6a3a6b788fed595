"""Puts webhook delivery messages on the `webhook-deliveries` queue, a few at a time in parallel.

Storage queues have no batch send: each message is one request. The dispatcher may owe
thousands after a burst of changes, so they go over a small pool of threads (the SDK client is
thread-safe), and any failure fails the whole call so the dispatch cursor does not move past
messages that did not go.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient

from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.webhooks import WebhookMessage

_PARALLEL = 8


class QueueWebhookDeliveries:
    def __init__(self, queue: QueueClient) -> None:
        self._queue = queue
        self._pool = ThreadPoolExecutor(_PARALLEL, thread_name_prefix="webhook-enqueue")

    def enqueue(self, messages: Sequence[WebhookMessage]) -> None:
        bodies = [message.model_dump_json(by_alias=True) for message in messages]
        with translate_storage_errors(otherwise="The webhook queue did not take the messages."):
            missing = self._send(bodies)
            if missing:  # created on first use, as the host does; only those not sent again
                with contextlib.suppress(ResourceExistsError):
                    self._queue.create_queue()
                for body in missing:
                    self._queue.send_message(body)

    def _send(self, bodies: list[str]) -> list[str]:
        """Send each body; those the queue refused as missing (every other error raises)."""
        futures = [self._pool.submit(self._queue.send_message, body) for body in bodies]
        missing = []
        for body, future in zip(bodies, futures, strict=True):
            try:
                future.result()
            except ResourceNotFoundError:
                missing.append(body)
        return missing
