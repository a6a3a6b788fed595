"""Timer triggers: each finds due work and hands it to a use case, as of the firing instant."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.http_kit import container

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
logger = logging.getLogger(__name__)


@bp.timer_trigger(schedule="%RELAY_OUTBOX_SCHEDULE%", arg_name="timer", run_on_startup=False)
def relay_outbox(timer: func.TimerRequest) -> None:
    report = container().jobs.run("relay-outbox", container().clock.now())
    logger.info("relay-outbox: %s (past due: %s)", report.counts, timer.past_due)
