"""The parts of a lead that partners and the system add over its life."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from shared.domain.lead_values import CallToAction, ReasonCode, Storefront, ValueObject


class Interaction(ValueObject):
    """One stage of the customer's journey: Contact me, Get it now, a staff qualification..."""

    action_code: str | None
    call_to_action: CallToAction | None = None
    source: Storefront | None = None
    at: datetime
    delivery_id: str | None = None  # the intake journal's delivery that brought this stage
    description: str | None = None  # what the customer wrote at this visit, if anything


class HistoryEntry(ValueObject):
    """What happened to the lead, when, and who did it (a user, a marketplace, the system)."""

    at: datetime
    actor: str
    action: str
    detail: str | None = None
    actor_id: str | None = None  # the user id behind `actor`, for audit


class Sender(ValueObject):
    """The vendor staff member who referred the lead; told if it expires."""

    user_id: str
    name: str | None = None
    email: str | None = None


class Person(ValueObject):
    name: str
    email: str | None = None
    phone: str | None = None


class Deal(ValueObject):
    name: str | None = None  # required to accept; a referral may carry only an estimate
    estimated_value: Decimal | None = None
    currency: str | None = None
    estimated_close_date: date | None = None
    notes: str | None = None
    crm_id: str | None = None
    campaign_id: str | None = None


class Closing(ValueObject):
    """How a deal ended, kept apart from the deal: its notes and estimate stay as they were."""

    notes: str | None = None
    value: Decimal | None = None  # the final value, when the partner gave one
    currency: str | None = None

    def summary(self) -> str | None:
        """The history's detail: the final value, then the notes."""
        value = f"Final value {self.value} {self.currency or ''}".rstrip() if self.value else None
        parts = [part for part in (value, self.notes) if part]
        return " · ".join(parts) or None


class Closure(ValueObject):
    """Why a lead was declined or lost."""

    reason: ReasonCode
    notes: str | None = None
