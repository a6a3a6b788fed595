"""Queue triggers with the Storage queue extension's semantics (host.json `queues`, as in Azure)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions.queue import QueueMessage as FunctionsQueueMessage
from azure.storage.queue import QueueClient, QueueMessage

from tools.localhost.app_loader import FunctionDescription
from tools.localhost.host_config import QueueOptions
from tools.localhost.invoker import Invoker
from tools.localhost.queue_visibility import RUNNING_VISIBILITY, VisibilityKeeper

logger = logging.getLogger("Host.Queues")
_FIRST_BACKOFF_SECONDS = 0.1


class QueueListener(threading.Thread):
    """Polls one queue for one function; a batch's messages run concurrently."""

    def __init__(
        self,
        function: FunctionDescription,
        *,
        queue_name: str,
        connection_string: str,
        options: QueueOptions,
        invoker: Invoker,
        stop: threading.Event,
        running_visibility: timedelta = RUNNING_VISIBILITY,
    ) -> None:
        super().__init__(name=f"queue-{function.name}", daemon=True)
        self.running_visibility = running_visibility
        self.function = function
        self.queue_name = queue_name
        self.options = options
        self.invoker = invoker
        self.stop = stop
        self.poison_queue_name = f"{queue_name}-poison"
        self._queue = QueueClient.from_connection_string(connection_string, queue_name)
        self._poison = QueueClient.from_connection_string(connection_string, self.poison_queue_name)

    def run(self) -> None:
        ceiling = self.options.max_polling_interval.total_seconds()
        delay = min(_FIRST_BACKOFF_SECONDS, ceiling)
        with ThreadPoolExecutor(self.options.batch_size, f"queue-{self.function.name}") as pool:
            while not self.stop.is_set():
                try:
                    messages = self._receive_batch()
                except AzureError as error:
                    logger.warning("Polling queue '%s' failed: %s", self.queue_name, error)
                    messages = []
                if messages:
                    # Wait for the whole batch: shutdown then never abandons a half-done batch.
                    list(pool.map(self._process, messages))
                    delay = min(_FIRST_BACKOFF_SECONDS, ceiling)
                    continue
                self.stop.wait(delay)
                delay = min(delay * 2, ceiling)

    def _receive_batch(self) -> list[QueueMessage]:
        """One Get Messages call; a queue that does not exist yet is simply empty."""
        pages = self._queue.receive_messages(
            messages_per_page=self.options.batch_size,
            visibility_timeout=int(self.running_visibility.total_seconds()),
        ).by_page()
        try:
            return list(next(pages, []))
        except ResourceNotFoundError:
            return []

    def _process(self, message: QueueMessage) -> None:
        try:
            self._handle(message)
        except AzureError as error:
            # The message reappears when its visibility lapses: at-least-once, like the host.
            logger.warning(
                "Settling message %s on '%s' failed: %s", message.id, self.queue_name, error
            )

    def _handle(self, message: QueueMessage) -> None:
        max_count = self.options.max_dequeue_count
        count = message.dequeue_count or 1
        receipt = message.pop_receipt
        if count > max_count:
            self._move_to_poison(message, receipt)
            return
        try:
            body = self._decode(message.content)
        except ValueError:
            logger.error(
                "Message %s on '%s' is not valid base64 (messageEncoding is base64); "
                "it counts as a failed attempt",
                message.id,
                self.queue_name,
            )
            succeeded = False
        else:
            # A function timeout (host.json functionTimeout) is a failed attempt like any other.
            with VisibilityKeeper(self._queue, message, self.running_visibility) as keeper:
                succeeded = self._invoke(message, body)
            receipt = keeper.pop_receipt
        if succeeded:
            self._queue.delete_message(message.id, receipt)
        elif count >= max_count:
            self._move_to_poison(message, receipt)
        else:
            seconds = int(self.options.visibility_timeout.total_seconds())
            self._queue.update_message(message.id, pop_receipt=receipt, visibility_timeout=seconds)

    def _decode(self, content: object) -> bytes:
        text = content if isinstance(content, str) else ""
        if self.options.message_encoding == "none":
            return text.encode("utf-8")
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error as error:
            raise ValueError(str(error)) from error

    def _invoke(self, message: QueueMessage, body: bytes) -> bool:
        argument = FunctionsQueueMessage(  # type: ignore[no-untyped-call]
            id=message.id,
            body=body,
            dequeue_count=message.dequeue_count,
            expiration_time=message.expires_on,
            insertion_time=message.inserted_on,
            time_next_visible=message.next_visible_on,
            pop_receipt=message.pop_receipt,
        )
        logger.info(
            "Trigger Details: MessageId: %s, DequeueCount: %s, InsertedOn: %s",
            message.id,
            message.dequeue_count,
            message.inserted_on,
        )
        try:
            self.invoker.invoke(
                self.function, argument, f"New queue message detected on '{self.queue_name}'."
            )
        except Exception:
            return False  # logged by the invoker
        return True

    def _move_to_poison(self, message: QueueMessage, receipt: str | None) -> None:
        """Copy the stored text (still encoded) to `<queue>-poison` as a new message, then delete.

        Copy before delete: a crash in between duplicates the poison copy, never loses it.
        """
        logger.warning(
            "Message has reached MaxDequeueCount of %d. Moving message to queue '%s'.",
            self.options.max_dequeue_count,
            self.poison_queue_name,
        )
        try:
            self._poison.send_message(message.content)
        except ResourceNotFoundError:
            with contextlib.suppress(ResourceExistsError):  # a concurrent message made it
                self._poison.create_queue()
            self._poison.send_message(message.content)
        self._queue.delete_message(message.id, receipt)
