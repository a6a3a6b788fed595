"""Is the app able to serve? Every probe runs at once, each bounded; the report names each
dependency's state and how long it took, and (deep) how much work waits in each queue.

The answer comes within the budget whatever a dependency does: a probe still running at the
deadline is reported unavailable and left to finish on its own thread (its client's own
timeouts end it there, see `shared/adapters/storage_health.py`), never waited for.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Literal

from shared.domain.errors import DependencyUnavailable, InvalidInput
from shared.domain.model import ApiModel
from shared.services.health_ports import DependencyStatus, HealthProbe, Probed, QueueGauge

logger = logging.getLogger(__name__)

# The whole check must answer within 2 s (an availability test's or load balancer's patience):
# 1.5 s for the probes leaves the rest for the request itself.
PROBE_BUDGET_SECONDS = 1.5
POISON_SUFFIX = "-poison"  # where the Functions host moves a message that failed every attempt


class DependencyCheck(ApiModel):
    status: DependencyStatus
    required: bool
    latency_ms: int
    detail: str | None = None


class QueueDepth(ApiModel):
    """Approximate counts, as Storage reports them; null when storage did not answer in time."""

    queue: str
    messages: int | None
    poison_messages: int | None


class HealthReport(ApiModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, DependencyCheck]
    queues: list[QueueDepth] | None = None


@dataclass(frozen=True, slots=True)
class _Outcome:
    value: object
    seconds: float
    error: str | None


class HealthCheck:
    def __init__(
        self,
        probes: Sequence[HealthProbe],
        gauge: QueueGauge,
        queues: Sequence[str],
        *,
        budget_seconds: float = PROBE_BUDGET_SECONDS,
        stopwatch: Callable[[], float] = time.monotonic,  # a duration, not an instant: no clock
    ) -> None:
        self._probes = list(probes)
        self._gauge = gauge
        self._queues = list(dict.fromkeys(queues))
        self._budget = budget_seconds
        self._stopwatch = stopwatch

    @staticmethod
    def wants_deep(text: str | None) -> bool:
        """The `deep` query parameter: absent or false, or true; anything else is a 400."""
        if text is None or text == "false":
            return False
        if text == "true":
            return True
        raise InvalidInput("deep must be true or false.")

    def report(self, *, deep: bool = False) -> HealthReport:
        """Every dependency's state; with `deep`, every app queue's depth and poison count."""
        tasks: dict[str, Callable[[], object]] = {
            f"probe:{probe.name}": probe.check for probe in self._probes
        }
        if deep:
            for name in self._queues:
                for queue in (name, name + POISON_SUFFIX):
                    tasks[f"queue:{queue}"] = _counter(self._gauge, queue)
        outcomes = self._run_bounded(tasks)
        checks = {
            probe.name: self._check(probe, outcomes[f"probe:{probe.name}"])
            for probe in self._probes
        }
        healthy = all(c.status == DependencyStatus.OK for c in checks.values() if c.required)
        queues = [self._depth(name, outcomes) for name in self._queues] if deep else None
        return HealthReport(status="ok" if healthy else "unavailable", checks=checks, queues=queues)

    def _check(self, probe: HealthProbe, outcome: _Outcome) -> DependencyCheck:
        if outcome.error is not None:
            logger.warning("Health: %s is unavailable: %s", probe.name, outcome.error)
            probed = Probed(DependencyStatus.UNAVAILABLE, outcome.error)
        else:
            probed = outcome.value if isinstance(outcome.value, Probed) else Probed()
        return DependencyCheck(
            status=probed.status,
            required=probe.required,
            latency_ms=round(outcome.seconds * 1000),
            detail=probed.detail,
        )

    @staticmethod
    def _depth(name: str, outcomes: Mapping[str, _Outcome]) -> QueueDepth:
        def count(queue: str) -> int | None:
            value = outcomes[f"queue:{queue}"].value
            return value if isinstance(value, int) else None

        return QueueDepth(
            queue=name, messages=count(name), poison_messages=count(name + POISON_SUFFIX)
        )

    def _run_bounded(self, tasks: Mapping[str, Callable[[], object]]) -> dict[str, _Outcome]:
        """Run every task at once and collect what finished within the budget. The pool is
        not waited for: a task past the deadline ends on its own, its answer unread."""
        started = self._stopwatch()
        pool = ThreadPoolExecutor(max_workers=max(1, len(tasks)), thread_name_prefix="health")
        try:
            futures = {key: pool.submit(self._timed, task) for key, task in tasks.items()}
            wait(futures.values(), timeout=self._budget)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        late = _Outcome(None, self._stopwatch() - started, self._late())
        return {key: _result(future) or late for key, future in futures.items()}

    def _timed(self, task: Callable[[], object]) -> _Outcome:
        started = self._stopwatch()
        try:
            value = task()
        except DependencyUnavailable as error:
            return _Outcome(None, self._stopwatch() - started, error.detail)
        except Exception as error:  # a health check reports, it never fails
            logger.warning("Health probe failed unexpectedly: %s", type(error).__name__)
            return _Outcome(None, self._stopwatch() - started, "The check failed unexpectedly.")
        return _Outcome(value, self._stopwatch() - started, None)

    def _late(self) -> str:
        return f"No answer within {self._budget:g} s."


def _result(future: Future[_Outcome]) -> _Outcome | None:
    return future.result() if future.done() and not future.cancelled() else None


def _counter(gauge: QueueGauge, queue: str) -> Callable[[], object]:
    return lambda: gauge.approximate_count(queue)
