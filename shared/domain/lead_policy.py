"""The product's numbers (docs/behaviour.md) and the date arithmetic that applies them."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LeadPolicy:
    respond_window: timedelta = timedelta(days=14)
    hot_window: timedelta = timedelta(hours=72)
    informational_retention_months: int = 6
    reminder_before: timedelta = timedelta(hours=48)

    def respond_by(self, action_required_since: datetime) -> datetime:
        return action_required_since + self.respond_window

    def archive_at(self, created_at: datetime) -> datetime:
        return add_calendar_months(created_at, self.informational_retention_months)

    def remind_at(self, action_required_since: datetime, respond_by: datetime) -> datetime:
        # A window shorter than the reminder lead time warns as soon as action is required.
        return max(action_required_since, respond_by - self.reminder_before)

    def hot_since(self, now: datetime) -> datetime:
        """Arrivals strictly after this instant are still within the hot window at `now`.

        The one definition of "hot" the lead view, the in-memory filter and the stored query
        all derive from: contact requested, not archived, and arrived after `hot_since(now)`.
        """
        return now - self.hot_window

    def is_hot(
        self, *, contact_requested: bool, created_at: datetime, now: datetime, archived: bool
    ) -> bool:
        return contact_requested and not archived and created_at > self.hot_since(now)


def add_calendar_months(instant: datetime, months: int) -> datetime:
    """Same day N months later, clamped to the month's end: Aug 31 + 6 months = Feb 28 (29)."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)
