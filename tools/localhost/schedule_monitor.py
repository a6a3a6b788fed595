"""Is a timer past due at start-up? The decision of the timer extension's schedule monitor.

`ScheduleMonitor.CheckPastDueAsync` (azure-webjobs-sdk-extensions, used by the
`StorageScheduleMonitor` that keeps `azure-webjobs-hosts/timers/<hostId>/<function>/status`):

- no stored status: a new timer is never past due; its status is written (Next from now);
- the stored Next must be what the *current* schedule gives after Last (else after LastUpdated):
  if not, the schedule has changed, and Next is recomputed (from now, when the recomputed one is
  already past), so a changed schedule is never past due;
- past due means now > the recorded Next: an occurrence was missed while no host ran.

Only the start-up check can report past due: the listener invokes every scheduled occurrence
with `isPastDue: false`, however late the timer fires (`TimerListener.HandleTimerEvent`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Schedule(Protocol):
    def next_after(self, instant: datetime) -> datetime: ...


@dataclass(frozen=True)
class ScheduleStatus:
    last: datetime | None  # the last invocation (None: never invoked under this schedule)
    next: datetime
    last_updated: datetime | None

    def to_json(self) -> dict[str, str | None]:
        return {
            "Last": self.last.isoformat() if self.last else None,
            "Next": self.next.isoformat(),
            "LastUpdated": self.last_updated.isoformat() if self.last_updated else None,
        }


@dataclass(frozen=True)
class PastDueCheck:
    past_due: bool
    status: ScheduleStatus
    changed: bool  # the status must be written back


def parse_instant(text: object) -> datetime | None:
    """An ISO 8601 instant (naive means UTC); the host's DateTime.MinValue counts as unset."""
    if not isinstance(text, str) or not text:
        return None
    parsed = datetime.fromisoformat(text)
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None if parsed.year <= 1 else parsed


def check_past_due(
    now: datetime, schedule: Schedule, stored: ScheduleStatus | None
) -> PastDueCheck:
    if stored is None:
        fresh = ScheduleStatus(last=None, next=schedule.next_after(now), last_updated=now)
        return PastDueCheck(past_due=False, status=fresh, changed=True)
    basis = stored.last or stored.last_updated or now
    expected = schedule.next_after(basis)
    if stored.next == expected:
        return PastDueCheck(past_due=now > stored.next, status=stored, changed=False)
    last_updated = basis
    if now > expected:
        expected, last_updated = schedule.next_after(now), now
    status = ScheduleStatus(last=None, next=expected, last_updated=last_updated)
    return PastDueCheck(past_due=now > expected, status=status, changed=True)
