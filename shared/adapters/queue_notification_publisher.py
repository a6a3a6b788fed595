"""Puts notifications on the Storage queue the notification function listens to."""

from __future__ import annotations

from collections.abc import Sequence

from azure.storage.queue import QueueClient

from shared.adapters.queue_messages import message_text, send_creating_queue
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
                send_creating_queue(self._queue, message_text(notification), **_ONE_RETRY)
