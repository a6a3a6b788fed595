"""Operators' view of the app's queues and their poison queues: how many messages wait, what
the poisoned ones say, and putting them back (or deleting them) once the cause is fixed.

The Functions host moves a message that failed `maxDequeueCount` times to `<queue>-poison`,
as a new message with the same body (still base64), and nothing ever reads it again. Put back
on its queue, it is processed as any message: the handlers are idempotent, and the notifier
treats a Failed send being tried again as an operator's replay (a new 24 hours of retries).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from pydantic import Field

from shared.domain.errors import NotFound
from shared.domain.model import ApiModel
from shared.domain.principal import OPERATORS, Principal
from shared.services.operator_ports import PoisonQueues

# A call moves at most this many: each message is a copy and a delete (two round trips), so
# a large poison queue is emptied by calling again, well inside an HTTP call's 230 s.
MOVE_LIMIT = 500
PEEK_LIMIT = 32  # Peek Messages' own maximum


class QueueView(ApiModel):
    name: str = Field(description="deliveries, notifications or work.")
    queue: str = Field(description="The storage queue's name.")
    messages: int = Field(description="Waiting on the queue (approximate, as Azure counts).")
    poison: int = Field(description="In <queue>-poison: failed maxDequeueCount times.")


class QueueList(ApiModel):
    items: list[QueueView]


class PoisonMessageView(ApiModel):
    message_id: str
    inserted_on: datetime | None
    expires_on: datetime | None
    dequeue_count: int
    body: str = Field(description="The message as the function receives it (JSON, usually).")


class PoisonPeek(ApiModel):
    queue: str
    count: int
    items: list[PoisonMessageView]


class PoisonPeekQuery(ApiModel):
    limit: Annotated[int, Field(ge=1, le=PEEK_LIMIT)] = PEEK_LIMIT


class PoisonCommand(ApiModel):
    """One message by id, or all of them (up to 500 a call)."""

    message_id: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class PoisonResult(ApiModel):
    matched: int
    requeued: int
    deleted: int
    remaining: int = Field(description="Still in the poison queue afterwards (approximate).")


class OperatorQueues:
    def __init__(self, *, queues: PoisonQueues, names: Mapping[str, str]) -> None:
        self._queues = queues
        self._names = dict(names)  # logical name (deliveries...) -> storage queue name

    def list(self, principal: Principal) -> QueueList:
        principal.require_any(OPERATORS)
        items = [
            QueueView(
                name=name,
                queue=queue,
                messages=self._queues.depth(queue),
                poison=self._queues.depth(_poison(queue)),
            )
            for name, queue in self._names.items()
        ]
        return QueueList(items=items)

    def peek(self, principal: Principal, name: str, query: PoisonPeekQuery) -> PoisonPeek:
        principal.require_any(OPERATORS)
        poison = _poison(self._queue(name))
        messages = self._queues.peek(poison, query.limit)
        items = [
            PoisonMessageView(
                message_id=m.message_id,
                inserted_on=m.inserted_on,
                expires_on=m.expires_on,
                dequeue_count=m.dequeue_count,
                body=m.body,
            )
            for m in messages
        ]
        return PoisonPeek(queue=poison, count=self._queues.depth(poison), items=items)

    def requeue(self, principal: Principal, name: str, command: PoisonCommand) -> PoisonResult:
        principal.require_any(OPERATORS)
        queue = self._queue(name)
        done = self._queues.requeue(_poison(queue), queue, command.message_id, MOVE_LIMIT)
        return self._result(queue, command, done.matched, done.requeued, 0)

    def delete(self, principal: Principal, name: str, command: PoisonCommand) -> PoisonResult:
        principal.require_any(OPERATORS)
        queue = self._queue(name)
        done = self._queues.delete(_poison(queue), command.message_id)
        return self._result(queue, command, done.matched, 0, done.deleted)

    def _result(
        self, queue: str, command: PoisonCommand, matched: int, requeued: int, deleted: int
    ) -> PoisonResult:
        if command.message_id is not None and matched == 0:
            raise NotFound(f"No message '{command.message_id}' in {_poison(queue)}.")
        remaining = self._queues.depth(_poison(queue))
        return PoisonResult(
            matched=matched, requeued=requeued, deleted=deleted, remaining=remaining
        )

    def _queue(self, name: str) -> str:
        queue = self._names.get(name)
        if queue is None:
            raise NotFound(f"No queue '{name}'. Queues: {', '.join(self._names)}.")
        return queue


def _poison(queue: str) -> str:
    return f"{queue}-poison"
