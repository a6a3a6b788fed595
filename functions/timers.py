"""Timer triggers: each finds due work and hands it to a use case, as of the firing instant."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.http_kit import container
from shared.services import job_names

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
logger = logging.getLogger(__name__)


@bp.timer_trigger(schedule="%RELAY_OUTBOX_SCHEDULE%", arg_name="timer", run_on_startup=False)
def relay_outbox(timer: func.TimerRequest) -> None:
    report = container().jobs.run("relay-outbox", container().clock.now())
    logger.info("relay-outbox: %s (past due: %s)", report.counts, timer.past_due)


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


def _dispatch(job: str, timer: func.TimerRequest) -> None:
    counts = container().partner_jobs.dispatch(job, container().clock.now())
    logger.info("%s: %s (past due: %s)", job, counts, timer.past_due)
