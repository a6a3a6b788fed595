"""Jobs that visit every partner's partition: all at once for operators, or fanned out.

A timer only lists the partners and enqueues one work order per batch of them (`dispatch`); the
queue-triggered handler runs the job for the order's partners within a budget of leads and
enqueues the rest as a new order (`handle`). So a run's cost follows the work due, and no
invocation nears the platform's timeout however much is due. Operators may instead run a job
here and now (`run`), which answers the counts of what it did.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from shared.domain.errors import NotFound
from shared.domain.work_order import WorkOrder
from shared.services.job_ports import PartnerJob, WorkQueue
from shared.services.ports import PartnerDirectory

logger = logging.getLogger(__name__)


class PartnerJobs:
    def __init__(
        self,
        *,
        jobs: Mapping[str, PartnerJob],
        partners: PartnerDirectory,
        queue: WorkQueue,
        partners_per_order: int,
        leads_per_order: int,
    ) -> None:
        self._jobs = dict(jobs)
        self._partners = partners
        self._queue = queue
        self._partners_per_order = partners_per_order
        self._leads_per_order = leads_per_order

    @property
    def names(self) -> list[str]:
        return sorted(self._jobs)

    def run(
        self, job: str, as_of: datetime, *, partner_ids: Iterable[str] | None = None
    ) -> dict[str, int]:
        """Every partner (or those given), to the end, in this call: what
        `POST /api/ops/jobs/{job}?asOf=` does, so operators can replay any instant."""
        runner = self._job(job)
        totals = Counter(dict.fromkeys(("partners", *runner.reports), 0))
        for partner_id in self._partners.partner_ids() if partner_ids is None else partner_ids:
            totals["partners"] += 1
            more = True
            while more:
                run = runner.run_partner(partner_id, as_of, limit=self._leads_per_order)
                totals.update(run.counts)
                more = run.more
        return dict(totals)

    def dispatch(self, job: str, as_of: datetime) -> dict[str, int]:
        """One work order per batch of partners, on the work queue: what a timer does."""
        self._job(job)
        partners = orders = 0
        for batch in _batches(self._partners.partner_ids(), self._partners_per_order):
            self._queue.enqueue([WorkOrder.for_partners(job, as_of, batch)])
            partners, orders = partners + len(batch), orders + 1
        return {"partners": partners, "workOrders": orders}

    def handle(self, order: WorkOrder) -> dict[str, int]:
        """One work order; what its budget of leads leaves undone goes back on the queue."""
        runner = self._job(order.job)
        totals: Counter[str] = Counter()
        budget = self._leads_per_order
        for index, partner_id in enumerate(order.partner_ids):
            totals["partners"] += 1
            run = runner.run_partner(partner_id, order.as_of, limit=budget)
            totals.update(run.counts)
            budget -= run.changed
            rest = order.partner_ids[index if run.more else index + 1 :]
            if rest and (run.more or budget <= 0):
                # Enqueued before this invocation ends: a crash after it only repeats work,
                # which finds nothing left to do; a crash before it retries the whole order.
                self._queue.enqueue([WorkOrder.for_partners(order.job, order.as_of, rest)])
                totals["continued"] += 1
                break
        logger.info("Work order %s (%s): %s", order.id, order.job, dict(totals))
        return dict(totals)

    def _job(self, name: str) -> PartnerJob:
        job = self._jobs.get(name)
        if job is None:
            raise NotFound(f"No partner job '{name}'. Jobs: {', '.join(self.names)}.")
        return job


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
