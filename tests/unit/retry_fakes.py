"""A fake of the `Redeliveries` port: records what was put back (and when it is due) or parked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from shared.domain.errors import DependencyUnavailable
from shared.domain.lead_values import ValueObject
from shared.domain.redelivery import RetryPolicy
from shared.services.retries import Retries

# Back-off of 1 minute doubling to 1 hour, 24 hours in all; jitter always takes the top.
POLICY = RetryPolicy(
    base=timedelta(minutes=1), cap=timedelta(hours=1), give_up_after=timedelta(hours=24)
)


@dataclass
class RecordingRedeliveries:
    later_calls: list[tuple[ValueObject, timedelta]] = field(default_factory=list)
    parked: list[ValueObject] = field(default_factory=list)
    down: bool = False  # the queue refuses everything

    def later(self, message: ValueObject, delay: timedelta) -> None:
        if self.down:
            raise DependencyUnavailable("queue down")
        self.later_calls.append((message, delay))

    def park(self, message: ValueObject) -> None:
        if self.down:
            raise DependencyUnavailable("queue down")
        self.parked.append(message)

    def take(self) -> tuple[ValueObject, timedelta]:
        """The one message put back since the last take."""
        (put_back,) = self.later_calls
        self.later_calls.clear()
        return put_back


def retries(queue: RecordingRedeliveries, policy: RetryPolicy = POLICY) -> Retries:
    return Retries(policy=policy, queue=queue, jitter=lambda low, high: high)
