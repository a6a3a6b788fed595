"""The work queue: one work order (a job, an instant, a batch of partners) per message."""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import container
from functions.invocation_telemetry import queue_invocation
from functions.queue_kit import queue_content
from shared.domain.delivery import Delivery
from shared.domain.work_order import WorkOrder
from shared.services.metrics import record_job_counts

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.queue_trigger(arg_name="work", queue_name="%WORK_QUEUE%", connection="AzureWebJobsStorage")
def process_work(work: func.QueueMessage) -> None:
    """Run the order's job for its partners. A storage failure puts the rest of the order
    back for a later retry (with back-off); raising makes the host retry it at once.

    Duplicates are harmless: every job acts only on what is still due, under ETags. A message
    that is no work order (or names a job this version lacks) ends in `<queue>-poison`.
    """
    with queue_invocation("process_work", work) as span:
        order = queue_content(work, WorkOrder, "is not a work order")
        span.set_attribute("leads.job", order.job)
        delivery = Delivery.of(work.id, work.dequeue_count, order.redelivery)
        counts = container().partner_jobs.handle(order, delivery)
    record_job_counts(order.job, counts)
