"""Past-due detection at start-up, as the timer extension's ScheduleMonitor decides it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.functions.timer import TimerRequest

from tools.localhost.app_loader import FunctionDescription
from tools.localhost.invoker import Invoker
from tools.localhost.ncrontab import NCrontab
from tools.localhost.schedule_monitor import ScheduleStatus, check_past_due, parse_instant
from tools.localhost.timers import TimerRunner

DAILY = NCrontab("0 30 2 * * *")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TODAY_0230 = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)
YESTERDAY_0230 = TODAY_0230 - timedelta(days=1)


def test_a_new_timer_is_not_past_due_and_records_its_next_occurrence() -> None:
    check = check_past_due(NOW, DAILY, None)
    assert (check.past_due, check.changed) == (False, True)
    assert check.status == ScheduleStatus(last=None, next=TODAY_0230 + timedelta(days=1),
                                          last_updated=NOW)  # fmt: skip


def test_an_occurrence_missed_while_no_host_ran_is_past_due() -> None:
    stored = ScheduleStatus(last=YESTERDAY_0230, next=TODAY_0230, last_updated=YESTERDAY_0230)
    check = check_past_due(NOW, DAILY, stored)
    assert (check.past_due, check.changed, check.status) == (True, False, stored)


def test_a_timer_that_never_fired_is_checked_from_last_updated() -> None:
    stored = ScheduleStatus(last=None, next=TODAY_0230, last_updated=YESTERDAY_0230)
    assert check_past_due(NOW, DAILY, stored).past_due


def test_a_status_whose_next_is_still_ahead_is_not_past_due() -> None:
    stored = ScheduleStatus(last=TODAY_0230, next=TODAY_0230 + timedelta(days=1),
                            last_updated=TODAY_0230)  # fmt: skip
    check = check_past_due(NOW, DAILY, stored)
    assert (check.past_due, check.changed) == (False, False)


def test_a_changed_schedule_is_not_past_due_and_counts_from_now() -> None:
    # Written under an hourly schedule: under the daily one, Next would not be 03:00.
    stored = ScheduleStatus(last=YESTERDAY_0230, next=YESTERDAY_0230 + timedelta(minutes=30),
                            last_updated=YESTERDAY_0230)  # fmt: skip
    check = check_past_due(NOW, DAILY, stored)
    assert (check.past_due, check.changed) == (False, True)
    assert check.status == ScheduleStatus(
        last=None, next=TODAY_0230 + timedelta(days=1), last_updated=NOW
    )


def test_a_changed_schedule_whose_next_is_ahead_keeps_its_basis() -> None:
    stored = ScheduleStatus(last=TODAY_0230, next=TODAY_0230 + timedelta(hours=1),
                            last_updated=TODAY_0230)  # fmt: skip
    check = check_past_due(TODAY_0230 + timedelta(minutes=5), DAILY, stored)
    assert (check.past_due, check.changed) == (False, True)
    assert check.status.next == TODAY_0230 + timedelta(days=1)
    assert check.status.last_updated == TODAY_0230


def test_the_hosts_unset_instants_read_as_none() -> None:
    assert parse_instant("0001-01-01T00:00:00") is None
    assert parse_instant("2026-11-30T02:30:00") == TODAY_0230
    assert parse_instant(None) is None


class MemoryStore:
    def __init__(self) -> None:
        self.status: ScheduleStatus | None = None

    def read(self, function_name: str) -> ScheduleStatus | None:
        return self.status

    def write(self, function_name: str, status: ScheduleStatus) -> None:
        self.status = status


def test_a_late_scheduled_run_and_the_catch_up_after_an_overrun_are_not_past_due() -> None:
    runs: list[bool] = []

    def slow_timer(timer: TimerRequest) -> None:
        runs.append(timer.past_due)
        time.sleep(2.2)  # overruns the next occurrence: it fires at once, over a second late

    binding: dict[str, Any] = {"type": "timerTrigger", "name": "timer", "schedule": "* * * * * *"}
    stop = threading.Event()
    store = MemoryStore()
    runner = TimerRunner(
        FunctionDescription("tick", [binding], slow_timer),
        NCrontab("* * * * * *"),
        store,
        Invoker(),
        stop,
    )
    runner.start()
    deadline = time.monotonic() + 8
    while len(runs) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    runner.join(timeout=3)
    assert runs[:2] == [False, False]
    assert store.status is not None
    assert store.status.last is not None
    assert store.status.next == NCrontab("* * * * * *").next_after(store.status.last)
