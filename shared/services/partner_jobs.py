"""Jobs that visit every partner's partition: all at once for operators, or fanned out.

A timer only lists the partners and enqueues one work order per batch of them (`dispatch`); the
queue-triggered handler runs the job for the order's partners within a budget of leads and
enqueues the rest as a new order (`handle`). So a run's cost follows the work due, and no
invocation nears the platform's timeout however much is due. Operators may instead run a job
here and now (`run`), which answers the counts of what it did.

A storage failure in `handle` puts the partners not yet done back on the queue as a copy of
the order, after a back-off (`Retries`), instead of failing: the host's own retries (5 within
a minute) would not outlast an outage of a few minutes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from shared.domain.delivery import Delivery
from shared.domain.errors import DependencyUnavailable, NotFound
from shared.domain.work_order import WorkOrder
from shared.services.job_ports import PartnerJob, WorkQueue
from shared.services.log_fields import log_fields
from shared.services.ports import Clock, PartnerDirectory
from shared.services.retries import Retries

logger = logging.getLogger(__name__)
# Partners whose dry run stopped at the limit of one run: a real run would go on past it.
CUT_SHORT = "previewCutShort"


class PartnerJobs:
    def __init__(
        self,
        *,
        jobs: Mapping[str, PartnerJob],
        partners: PartnerDirectory,
        queue: WorkQueue,
        retries: Retries,
        clock: Clock,
        partners_per_order: int,
        leads_per_order: int,
        preview: bool = False,
    ) -> None:
        self._jobs = dict(jobs)
        self._partners = partners
        self._queue = queue
        self._retries = retries
        self._clock = clock
        self._partners_per_order = partners_per_order
        self._leads_per_order = leads_per_order
        # A dry run (ports that write nothing): what is due stays due, so a partner's run is
        # one pass up to the limit instead of a loop until nothing is left.
        self._preview = preview

    @property
    def names(self) -> list[str]:
        return sorted(self._jobs)

    def run(
        self, job: str, as_of: datetime, *, partner_ids: Iterable[str] | None = None
    ) -> dict[str, int]:
        """Every partner (or those given), to the end, in this call: what
        `POST /api/ops/jobs/{job}?asOf=` does, so operators can replay any instant."""
        runner = self._job(job)
        extra = (CUT_SHORT,) if self._preview else ()
        totals = Counter(dict.fromkeys(("partners", *runner.reports, *extra), 0))
        for partner_id in self._partners.partner_ids() if partner_ids is None else partner_ids:
            totals["partners"] += 1
            more = True
            while more:
                run = runner.run_partner(partner_id, as_of, limit=self._leads_per_order)
                totals.update(run.counts)
                more = run.more
                if more and self._preview:
                    totals[CUT_SHORT] += 1
                    break
        return dict(totals)

    def dispatch(self, job: str, as_of: datetime) -> dict[str, int]:
        """One work order per batch of partners, on the work queue: what a timer does."""
        self._job(job)
        partners = orders = 0
        for batch in _batches(self._partners.partner_ids(), self._partners_per_order):
            self._queue.enqueue([WorkOrder.for_partners(job, as_of, batch)])
            partners, orders = partners + len(batch), orders + 1
        return {"partners": partners, "workOrders": orders}

    def handle(self, order: WorkOrder, delivery: Delivery) -> dict[str, int]:
        """One work order; what its budget of leads leaves undone goes back on the queue, and so
        does what a storage failure leaves undone (later, see `_retry_later`)."""
        runner = self._job(order.job)
        totals: Counter[str] = Counter()
        budget = self._leads_per_order
        for index, partner_id in enumerate(order.partner_ids):
            totals["partners"] += 1
            try:
                run = runner.run_partner(partner_id, order.as_of, limit=budget)
            except DependencyUnavailable as error:
                totals[self._retry_later(order, order.partner_ids[index:], delivery, error)] += 1
                break
            totals.update(run.counts)
            budget -= run.changed
            rest = order.partner_ids[index if run.more else index + 1 :]
            if rest and (run.more or budget <= 0):
                # Enqueued before this invocation ends: a crash after it only repeats work,
                # which finds nothing left to do; a crash before it retries the whole order.
                self._queue.enqueue([WorkOrder.for_partners(order.job, order.as_of, rest)])
                totals["continued"] += 1
                break
        extra = log_fields("job.work_order", job=order.job, partners=len(order.partner_ids))
        logger.info("Work order %s (%s): %s", order.id, order.job, dict(totals), extra=extra)
        return dict(totals)

    def _retry_later(
        self,
        order: WorkOrder,
        rest: tuple[str, ...],
        delivery: Delivery,
        error: DependencyUnavailable,
    ) -> str:
        """Put the partners not yet done back with back-off, or park them after the give-up
        time; raises if the queue takes neither, so the host retries the whole order."""
        now = self._clock.now()
        first_attempt_at = delivery.first_attempt_at(now)
        retry = self._retries.after(
            error, attempt=delivery.attempt, first_attempt_at=first_attempt_at, now=now
        )
        remaining = order.model_copy(update={"partner_ids": rest, "redelivery": None})
        if retry.give_up:
            logger.error(
                "Work order %s (%s) still failing on attempt %d: %s; parked in the poison queue",
                order.id, order.job, delivery.attempt, error.detail,
            )  # fmt: skip
            self._retries.queue.park(remaining)
            return "parked"
        logger.warning(
            "Work order %s (%s) failed on attempt %d: %s; retried in %.1f s",
            order.id, order.job, delivery.attempt, error.detail, retry.delay.total_seconds(),
        )  # fmt: skip
        following = remaining.model_copy(update={"redelivery": delivery.next(first_attempt_at)})
        self._retries.queue.later(following, retry.delay)
        return "deferred"

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
