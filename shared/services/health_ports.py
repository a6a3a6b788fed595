"""What the health check asks of the world: probes of the dependencies, and queue depths."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class DependencyStatus(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"
    NOT_CONFIGURED = "notConfigured"


@dataclass(frozen=True, slots=True)
class Probed:
    status: DependencyStatus = DependencyStatus.OK
    detail: str | None = None


class HealthProbe(Protocol):
    name: str
    # A required dependency that is down makes the app unavailable (503); an optional one is
    # reported, and the app still serves (emails go to the outbox without SendGrid, say).
    required: bool

    def check(self) -> Probed:
        """What the dependency's state is; `DependencyUnavailable` when it does not answer."""
        ...


class QueueGauge(Protocol):
    def approximate_count(self, queue: str) -> int:
        """The queue's approximate message count (0 for a queue that does not exist yet);
        `DependencyUnavailable` when storage does not answer."""
        ...
