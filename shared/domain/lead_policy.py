"""The product's numbers (docs/behaviour.md) and the date arithmetic that applies them."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from shared.domain.lead_values import EmailValidity, LeadStatus


class HotFacts(Protocol):
    """What of a lead decides whether it is hot (a `Lead` is one)."""

    @property
    def status(self) -> LeadStatus: ...

    @property
    def requires_action(self) -> bool: ...

    @property
    def contact_requested(self) -> bool: ...

    @property
    def email_validity(self) -> EmailValidity: ...

    @property
    def created_at(self) -> datetime: ...


def needs_answer(lead: HotFacts) -> bool:
    """Received and action-required: the partner still owes an accept or a decline."""
    return lead.status is LeadStatus.RECEIVED and lead.requires_action


def could_be_hot(lead: HotFacts) -> bool:
    """Hot while inside the window (`LeadPolicy.is_hot`); the time aside, what makes it so."""
    return (
        lead.contact_requested
        and needs_answer(lead)
        and lead.email_validity is not EmailValidity.SPAM
    )


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
        """Arrivals strictly after this instant are still within the hot window at `now`."""
        return now - self.hot_window

    def is_hot(self, lead: HotFacts, now: datetime) -> bool:
        """The one definition of "hot" the lead view, the emails, the in-memory filter and the
        stored query (table_lead_lister) all follow: the customer asked to be contacted, the
        lead still needs an answer (Received, action-required: not yet accepted, not archived),
        its email is not flagged as spam (nobody should rush to call a throwaway address), and
        it arrived after `hot_since(now)`."""
        return could_be_hot(lead) and lead.created_at > self.hot_since(now)

    def hot_until(self, lead: HotFacts) -> datetime | None:
        """When the lead stops being hot, or None when it never is (whatever the time)."""
        return lead.created_at + self.hot_window if could_be_hot(lead) else None


def add_calendar_months(instant: datetime, months: int) -> datetime:
    """Same day N months later, clamped to the month's end: Aug 31 + 6 months = Feb 28 (29)."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)
