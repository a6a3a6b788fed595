"""Counts what waits in every app queue and its poison queue, and says so in the log.

A poison queue holds work that failed every attempt; nothing takes it out but an operator. So
while one holds anything, each run logs a warning naming it (event `queue.poison`), and the
poison-queue alert (infra/modules/alerts.bicep) fires on those records: an alert that keeps
firing until the queue is empty, not once when the first message arrived.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from shared.domain.errors import DependencyUnavailable
from shared.services.health import POISON_SUFFIX
from shared.services.health_ports import QueueGauge

logger = logging.getLogger(__name__)
POISON_EVENT = "queue.poison"


class QueueWatch:
    def __init__(self, gauge: QueueGauge, queues: Sequence[str]) -> None:
        self._gauge = gauge
        self._queues = list(dict.fromkeys(queues))

    def run(self) -> dict[str, int]:
        """Every queue's approximate depth by name (a queue storage did not count is left out)."""
        counts: dict[str, int] = {}
        for queue in self._queues:
            for name in (queue, queue + POISON_SUFFIX):
                try:
                    counts[name] = self._gauge.approximate_count(name)
                except DependencyUnavailable as error:
                    logger.warning(
                        "Queue %s not counted: %s",
                        name,
                        error.detail,
                        extra={"event": "queue.uncounted", "queue": name},
                    )
        for name, messages in counts.items():
            if name.endswith(POISON_SUFFIX) and messages > 0:
                logger.warning(
                    "Poison queue %s holds %d messages",
                    name,
                    messages,
                    extra={"event": POISON_EVENT, "queue": name, "messages": messages},
                )
        logger.info("Queue depths: %s", counts, extra={"event": "queue.depths"})
        return counts
