"""Events are kept `EVENT_RETENTION_DAYS` (30 by default), then pruned by the daily timer.

The `prune-events` job runs with `archive-informational-leads` (the same daily timer, fanned
out per partner like it) and on `POST /api/ops/jobs/prune-events`. One range query finds what is
older than the window, as of the run's instant, and batches of 100 delete it: the cost follows
the events pruned, not the events kept. A poller that stopped for longer than the window misses
what was pruned meanwhile; webhooks and the feed are for syncing, not an archive.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.services.event_ports import EventLogPruner
from shared.services.job_ports import PartnerRun

PRUNED = "eventsPruned"


class EventRetention:
    def __init__(self, *, log: EventLogPruner, keep_for: timedelta) -> None:
        self._log = log
        self._keep_for = keep_for

    @property
    def reports(self) -> tuple[str, ...]:
        return (PRUNED,)

    def run_partner(self, partner_id: str, as_of: datetime, *, limit: int) -> PartnerRun:
        run = PartnerRun()
        pruned = self._log.prune(partner_id, as_of - self._keep_for, limit=limit)
        run.counts[PRUNED] += pruned
        run.changed = pruned
        run.more = pruned >= limit
        return run
