"""Retrying queued work later, by putting a copy of its message back on the queue.

The queue trigger's own retries come at a fixed `visibilityTimeout` (10 s) and end in the poison
queue after `maxDequeueCount` (5): a dependency out for a minute would burn them all. So a
handler that meets a failure that may pass (`DependencyUnavailable`) sends a *copy* of its
message, invisible for an exponentially growing, jittered delay that honours the dependency's
`Retry-After`, and returns normally (the host deletes the original). The copy carries a
`Redelivery`: its attempt number, when the first attempt was, and the delivery chain it
continues. After `RetryPolicy.give_up_after` the work is parked in `<queue>-poison`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import AwareDatetime, Field

from shared.domain.lead_values import ValueObject

# Put Message: `visibilitytimeout` is whole seconds, at most 7 days.
MAX_QUEUE_DELAY = timedelta(days=7)
# 2**20 times any sensible base is past every cap: no need for bigger (or overflowing) powers.
_MAX_DOUBLINGS = 20

Jitter = Callable[[float, float], float]  # random.uniform's shape: a float in [a, b]


class Redelivery(ValueObject):
    """What a message put back for a later retry carries about the attempts before it."""

    attempt: int = Field(ge=2)  # the number of the attempt this copy is for
    first_attempt_at: AwareDatetime
    chain: str = Field(min_length=1)  # the id of the chain's first queue message


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential back-off from `base` to `cap`, with jitter; give up after `give_up_after`."""

    base: timedelta
    cap: timedelta
    give_up_after: timedelta

    def delay(self, failed_attempt: int, *, asked: timedelta | None, jitter: Jitter) -> timedelta:
        """How long to wait after attempt number `failed_attempt` failed.

        "Equal jitter": a uniform draw from the upper half of the doubled delay, so retries of
        many messages that failed together spread out, yet none comes back sooner than half
        the back-off. A `Retry-After` longer than that wins: the dependency knows best.
        """
        doublings = min(max(failed_attempt - 1, 0), _MAX_DOUBLINGS)
        backoff = min(self.cap, self.base * 2**doublings).total_seconds()
        wait = timedelta(seconds=jitter(backoff / 2, backoff))
        if asked is not None:
            wait = max(wait, asked)
        return min(wait, MAX_QUEUE_DELAY)

    def exhausted(self, first_attempt_at: datetime, now: datetime) -> bool:
        return now - first_attempt_at >= self.give_up_after
