"""What every queue trigger does first: read its message as the model it expects."""

from __future__ import annotations

import logging
from typing import TypeVar

import azure.functions as func
from pydantic import BaseModel, ValidationError

from shared.domain.errors import InvalidInput

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


def queue_content(message: func.QueueMessage, model: type[M], refusal: str) -> M:
    """The message's body as `model`. A body that is not one (`refusal` says how, e.g. "names
    no delivery") raises: the host retries it, then moves it to `<queue>-poison`, where an
    operator looks into it (docs/operations.md quotes these log lines)."""
    try:
        return model.model_validate_json(message.get_body())
    except ValidationError:
        logger.error("Queue message %s %s; the queue retries it", message.id, refusal)
        raise InvalidInput(f"The queue message {refusal}.") from None
