"""Puts notifications on the Storage queue the notification function listens to."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient

from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.notification import Notification

# One quick retry at most, for refused connections too: this runs inside a request, and the
# outbox relay delivers whatever the queue did not take.
_ONE_RETRY = {"retry_total": 1, "retry_connect": 1, "retry_read": 1}


class QueueNotificationPublisher:
    def __init__(self, queue: QueueClient) -> None:
        self._queue = queue

    def publish(self, notifications: Sequence[Notification]) -> None:
        with translate_storage_errors(otherwise="The notification queue did not take the message."):
            for notification in notifications:
                self._send(notification.model_dump_json(by_alias=True))

    def _send(self, message: str) -> None:
        try:
            self._queue.send_message(message, **_ONE_RETRY)
        except ResourceNotFoundError:
            with contextlib.suppress(ResourceExistsError):
                self._queue.create_queue()
            self._queue.send_message(message, **_ONE_RETRY)
