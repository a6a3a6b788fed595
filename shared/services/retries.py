"""Retry queued work later with back-off: the port that puts a message back, and the decision.

See `shared.domain.redelivery` for why a handler puts a copy back instead of raising.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from shared.domain.errors import DependencyUnavailable
from shared.domain.lead_values import ValueObject
from shared.domain.redelivery import Jitter, RetryPolicy


class Redeliveries(Protocol):
    """The queue a handler's messages came from, and its `<queue>-poison`."""

    def later(self, message: ValueObject, delay: timedelta) -> None:
        """Put `message` on the queue, invisible for `delay` (at most 7 days).

        Raises `DependencyUnavailable` if the queue does not take it."""
        ...

    def park(self, message: ValueObject) -> None:
        """Put `message` on the poison queue, for an operator to put back once the cause is
        fixed. Raises `DependencyUnavailable` if the queue does not take it."""
        ...


@dataclass(frozen=True, slots=True)
class Retry:
    """What to do after a failure that may pass: wait `delay`, or give up."""

    give_up: bool
    delay: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class Retries:
    policy: RetryPolicy
    queue: Redeliveries
    jitter: Jitter = random.uniform

    def after(
        self,
        error: DependencyUnavailable,
        *,
        attempt: int,
        first_attempt_at: datetime,
        now: datetime,
        not_before: datetime | None = None,
    ) -> Retry:
        """The retry of attempt number `attempt`, which failed with `error`: back-off (or the
        dependency's `Retry-After`), and never before `not_before`."""
        if self.policy.exhausted(first_attempt_at, now):
            return Retry(give_up=True)
        delay = self.policy.delay(attempt, asked=error.retry_after, jitter=self.jitter)
        if not_before is not None:
            delay = max(delay, not_before - now)
        return Retry(give_up=False, delay=delay)
