"""Timer triggers: each finds due work and hands it to a use case, as of the firing instant."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.http_kit import container
from functions.invocation_telemetry import timer_invocation
from shared.services import job_names
from shared.services.log_fields import log_fields
from shared.services.metrics import record_job_counts

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
logger = logging.getLogger(__name__)


@bp.timer_trigger(schedule="%RELAY_OUTBOX_SCHEDULE%", arg_name="timer", run_on_startup=False)
def relay_outbox(timer: func.TimerRequest) -> None:
    job = "relay-outbox"
    with timer_invocation(job):
        report = container().jobs.run(job, container().clock.now())
    _ran(job, report.counts, timer)


# The lifecycle jobs only list the partners and enqueue work orders (functions/work.py does the
# work): a timer run stays short however much is due. A missed or failed run is caught up by
# the next one, since every job acts on what is due as of its instant.


@bp.timer_trigger(schedule="%EXPIRE_LEADS_SCHEDULE%", arg_name="timer", run_on_startup=False)
def expire_leads(timer: func.TimerRequest) -> None:
    _dispatch(job_names.EXPIRE_LEADS, timer)


@bp.timer_trigger(
    schedule="%ARCHIVE_INFORMATIONAL_SCHEDULE%", arg_name="timer", run_on_startup=False
)
def archive_informational_leads(timer: func.TimerRequest) -> None:
    _dispatch(job_names.ARCHIVE_INFORMATIONAL_LEADS, timer)
    # The event log's retention rides on this daily timer (event_retention.py).
    _dispatch(job_names.PRUNE_EVENTS, timer)


@bp.timer_trigger(schedule="%SEND_DIGESTS_SCHEDULE%", arg_name="timer", run_on_startup=False)
def send_digests(timer: func.TimerRequest) -> None:
    _dispatch(job_names.SEND_DIGESTS, timer)


@bp.timer_trigger(schedule="%REMIND_EXPIRING_SCHEDULE%", arg_name="timer", run_on_startup=False)
def remind_expiring(timer: func.TimerRequest) -> None:
    _dispatch(job_names.REMIND_EXPIRING, timer)


@bp.timer_trigger(
    schedule="%ESCALATE_STALE_LEADS_SCHEDULE%", arg_name="timer", run_on_startup=False
)
def escalate_stale_leads(timer: func.TimerRequest) -> None:
    _dispatch(job_names.ESCALATE_STALE_LEADS, timer)


def _dispatch(job: str, timer: func.TimerRequest) -> None:
    with timer_invocation(job):
        counts = container().partner_jobs.dispatch(job, container().clock.now())
    _ran(job, counts, timer)


def _ran(job: str, counts: dict[str, int], timer: func.TimerRequest) -> None:
    record_job_counts(job, counts)
    extra = log_fields("job.ran", job=job)
    logger.info("%s: %s (past due: %s)", job, counts, timer.past_due, extra=extra)
