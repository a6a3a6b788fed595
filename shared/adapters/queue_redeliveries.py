"""Puts a handler's message back on its queue for a later retry, or parks it in `-poison`."""

from __future__ import annotations

import math
from datetime import timedelta

from azure.storage.queue import QueueClient

from shared.adapters.queue_messages import message_text, send_creating_queue
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.lead_values import ValueObject
from shared.domain.redelivery import MAX_QUEUE_DELAY

# Put Message allows a visibility timeout up to 7 days, but never past the message's expiry
# (7 days by default): a copy that never expires can wait the longest delay.
_NEVER_EXPIRES = -1


class QueueRedeliveries:
    def __init__(self, queue: QueueClient, poison: QueueClient) -> None:
        self._queue = queue
        self._poison = poison

    def later(self, message: ValueObject, delay: timedelta) -> None:
        # Whole seconds, rounded up: the retry never comes before its time.
        seconds = min(math.ceil(delay.total_seconds()), int(MAX_QUEUE_DELAY.total_seconds()))
        with translate_storage_errors(otherwise="The queue did not take the retry."):
            self._queue.send_message(
                message_text(message),
                visibility_timeout=max(seconds, 0),
                time_to_live=_NEVER_EXPIRES,
            )

    def park(self, message: ValueObject) -> None:
        body = message_text(message)
        with translate_storage_errors(otherwise="The poison queue did not take the message."):
            # The poison queue is created on first use, as the host does.
            send_creating_queue(self._poison, body, time_to_live=_NEVER_EXPIRES)
