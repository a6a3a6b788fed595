"""Poison queues on Azure Storage queues: count, peek, put back, delete.

The Functions host copies a message that failed `maxDequeueCount` times to `<queue>-poison`
exactly as stored (its QueueProcessor.CopyMessageToPoisonQueueAsync adds `message.Body`, then
deletes the original: azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.Storage.Queues),
so the stored text is still base64 (host.json `messageEncoding`). Requeuing copies that text
back unchanged, before deleting the poison copy: a failure in between leaves a duplicate,
which the idempotent handlers absorb, never a lost message. tools/localhost does the same.

Peek Messages returns no pop receipt, so acting on one message by id receives the poison
queue's messages (invisible for a moment) until it is found, and releases the others at once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterator
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient, QueueMessage, QueueServiceClient

from shared.adapters.storage_errors import translate_storage_errors
from shared.services.operator_ports import QueueAction, QueuedMessage

_HELD_SECONDS = 60  # how long a received message stays invisible while we act on it
_PAGE = 32  # Get Messages' maximum
_SEARCHED = 500  # messages looked through for one id


class QueuePoisonDesk:
    def __init__(self, service: QueueServiceClient) -> None:
        self._service = service

    def depth(self, queue_name: str) -> int:
        with translate_storage_errors():
            try:
                properties = self._raw(queue_name).get_queue_properties()
            except ResourceNotFoundError:
                return 0
        return int(properties.approximate_message_count or 0)

    def peek(self, queue_name: str, limit: int) -> list[QueuedMessage]:
        with translate_storage_errors():
            try:
                messages = self._raw(queue_name).peek_messages(max_messages=limit)
            except ResourceNotFoundError:
                return []
        return [_view(message) for message in messages]

    def requeue(self, poison: str, target: str, message_id: str | None, limit: int) -> QueueAction:
        done = QueueAction()
        limit = limit if message_id is None else _SEARCHED
        source, destination = self._raw(poison), self._raw(target)
        with translate_storage_errors():
            for message in self._take(source, message_id, limit):
                done.matched += 1
                _send(destination, message.content)  # copy first: never lost in between
                source.delete_message(message.id, message.pop_receipt)
                done.requeued += 1
        return done

    def delete(self, poison: str, message_id: str | None) -> QueueAction:
        done = QueueAction()
        source = self._raw(poison)
        with translate_storage_errors():
            if message_id is None:
                done.matched = done.deleted = self.depth(poison)
                with contextlib.suppress(ResourceNotFoundError):
                    source.clear_messages()
                return done
            for message in self._take(source, message_id, _SEARCHED):
                done.matched += 1
                source.delete_message(message.id, message.pop_receipt)
                done.deleted += 1
        return done

    def _take(self, source: QueueClient, message_id: str | None, limit: int) -> Iterator[Any]:
        """Received messages to act on: all (up to `limit`), or the one with that id; every
        other message received while looking for it (its whole page) is released afterwards."""
        passed: list[QueueMessage] = []
        try:
            received = source.receive_messages(
                messages_per_page=min(_PAGE, limit),
                visibility_timeout=_HELD_SECONDS,
                max_messages=limit,
            )
            for page in received.by_page():
                found = False
                for message in list(page):
                    if message_id is None or message.id == message_id:
                        found = True
                        yield message
                    else:
                        passed.append(message)
                if found and message_id is not None:
                    return
        except ResourceNotFoundError:
            return
        finally:
            for other in passed:
                with contextlib.suppress(ResourceNotFoundError):
                    source.update_message(other, visibility_timeout=0)

    def _raw(self, name: str) -> QueueClient:
        # No encode or decode policy: the stored text is copied and shown as it is.
        return self._service.get_queue_client(name)


def _send(queue: QueueClient, content: Any) -> None:
    try:
        queue.send_message(content)
    except ResourceNotFoundError:
        with contextlib.suppress(ResourceExistsError):
            queue.create_queue()
        queue.send_message(content)


def _view(message: QueueMessage) -> QueuedMessage:
    return QueuedMessage(
        message_id=message.id,
        inserted_on=message.inserted_on,
        expires_on=message.expires_on,
        dequeue_count=int(message.dequeue_count or 0),
        body=_decoded(message.content),
    )


def _decoded(content: Any) -> str:
    """The body as the function gets it: base64 decoded when it is base64, else as stored."""
    text = content if isinstance(content, str) else str(content)
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return text
