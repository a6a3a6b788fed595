"""The one way the app writes a queue message: the model's JSON plus the sender's trace context.

Every publisher (deliveries, notifications, work orders, retries and parked copies, and any new
queue) goes through `message_text`, so no message leaves without the `traceparent` of the code
that wrote it (`shared.services.tracing`). Consumers ignore fields they do not know (the
messages are pydantic models without `extra="forbid"`), so older consumers read newer messages.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient
from pydantic import BaseModel

from shared.services.tracing import trace_fields


def message_text(message: BaseModel, *, exclude_none: bool = False) -> str:
    body = message.model_dump(mode="json", by_alias=True, exclude_none=exclude_none)
    body.update(trace_fields())
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def send_creating_queue(queue: QueueClient, text: str, **options: Any) -> None:
    """Send, creating the queue on first use (a fresh account or storage prefix)."""
    try:
        queue.send_message(text, **options)
    except ResourceNotFoundError:
        with contextlib.suppress(ResourceExistsError):  # a concurrent sender made it
            queue.create_queue()
        queue.send_message(text, **options)
