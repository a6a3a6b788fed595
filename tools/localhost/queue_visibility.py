"""Keep a running queue message invisible, as the queue extension's listener does.

`QueueListener.ProcessMessageAsync` holds the message for 10 minutes and, while the function
runs, an update-visibility timer (`CreateUpdateMessageVisibilityTimer`) sets it again every half
of that (at 5 minutes), taking the new pop receipt each time: a long run is never delivered
twice, and a crashed host's message reappears within 10 minutes.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from types import TracebackType

from azure.core.exceptions import AzureError
from azure.storage.queue import QueueClient, QueueMessage

logger = logging.getLogger("Host.Queues")
RUNNING_VISIBILITY = timedelta(minutes=10)


class VisibilityKeeper:
    """Within `with`, renews the message's visibility every half `visibility`; `pop_receipt`
    is then the receipt to settle the message with."""

    def __init__(
        self, queue: QueueClient, message: QueueMessage, visibility: timedelta = RUNNING_VISIBILITY
    ) -> None:
        self.pop_receipt: str | None = message.pop_receipt
        self._queue = queue
        self._message_id = message.id
        self._seconds = max(1, int(visibility.total_seconds()))
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._renew, name=f"visibility-{message.id}", daemon=True
        )

    def __enter__(self) -> VisibilityKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopped.set()
        self._thread.join()  # an update in flight changes the receipt: wait for it

    def _renew(self) -> None:
        while not self._stopped.wait(self._seconds / 2):
            try:
                receipt = self._queue.update_message(
                    self._message_id, pop_receipt=self.pop_receipt, visibility_timeout=self._seconds
                )
            except AzureError as error:
                # As the host: logged, and the message may reappear for another attempt.
                logger.warning("Renewing message %s failed: %s", self._message_id, error)
                continue
            self.pop_receipt = receipt.pop_receipt
