"""Timers that watch the app rather than do its work: the queue depths the alerts read."""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import container

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.timer_trigger(schedule="%WATCH_QUEUES_SCHEDULE%", arg_name="timer", run_on_startup=False)
def watch_queues(timer: func.TimerRequest) -> None:
    container().queue_watch.run()
