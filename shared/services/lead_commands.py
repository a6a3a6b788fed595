"""What partners send to act on a lead, validated at the edge.

The contract: docs/http-contract.md, "Partner workspace".
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BeforeValidator, Field, StringConstraints, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.lead_parts import Closure, Deal, Person
from shared.domain.lead_values import ReasonCode
from shared.domain.model import ApiModel
from shared.services.contact_fields import Currency, EmailAddress, PhoneNumber

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


def _calendar_date(value: object) -> object:
    # pydantic reads a number, or a string of digits, as Unix seconds: 0 would be 1970-01-01.
    # The document says an ISO 8601 date, so that is all this takes.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    # Reported as pydantic's own date error, so people read the one date message we write.
    raise PydanticCustomError("date_parsing", "Input should be an ISO 8601 date")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


class PersonInput(ApiModel):
    name: Name
    email: EmailAddress | None = None
    phone: PhoneNumber | None = None

    def to_person(self) -> Person:
        return Person(name=self.name, email=self.email, phone=self.phone)


People = Annotated[list[PersonInput], Field(max_length=50)]


class DealFields(ApiModel):
    estimated_value: Money | None = None
    currency: Currency | None = None
    estimated_close_date: CalendarDate | None = None
    crm_id: Reference | None = None
    campaign_id: Reference | None = None


# The westernmost time zone is UTC-12: a date earlier than the UTC date 12 hours ago is past
# for every partner, while a partner's own "today" is never refused, wherever it is.
_WESTERNMOST_OFFSET = timedelta(hours=12)


def refuse_past_close_date(close_date: date | None, now: datetime) -> None:
    """A purchase timeframe is in the future: a past close date is a typo, refused (400)."""
    if close_date is not None and close_date < (now - _WESTERNMOST_OFFSET).date():
        raise InvalidInput(
            "The estimated close date is in the past.",
            [
                FieldError(
                    "estimatedCloseDate",
                    "This date is in the past: choose today or a later date.",
                )
            ],
        )


class AcceptLead(DealFields):
    deal_name: Name
    notes: Notes
    team_members: People = []
    contacts: People = []

    @model_validator(mode="after")
    def _value_has_currency(self) -> Self:
        if self.estimated_value is not None and self.currency is None:
            raise ValueError("Give the currency of the estimated value, such as EUR.")
        return self

    def deal(self) -> Deal:
        return Deal(
            name=self.deal_name,
            notes=self.notes,
            **self.model_dump(
                include={
                    "estimated_value",
                    "currency",
                    "estimated_close_date",
                    "crm_id",
                    "campaign_id",
                }
            ),
        )


class DeclineLead(ApiModel):
    reason: ReasonCode
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8000)] | None = None

    def closure(self) -> Closure:
        return Closure(reason=self.reason, notes=self.notes or None)


class LoseLead(DeclineLead):
    value: Money | None = None  # the final value; the deal's estimate is kept as it was
    currency: Currency | None = None  # of `value`; default: the deal's currency


class WinLead(ApiModel):
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8000)] | None = None
    value: Money | None = None  # the final value; the deal's estimate is kept as it was
    currency: Currency | None = None  # of `value`; default: the deal's currency


class EditDeal(DealFields):
    """A JSON merge patch (RFC 7396) of the deal: absent = unchanged, null = cleared."""

    deal_name: Name | None = None
    notes: Notes | None = None
    team_members: People | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for field in ("deal_name", "notes"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{to_camel(field)} cannot be cleared")
        return self

    def apply_to(self, deal: Deal) -> Deal:
        sent = self.model_fields_set
        updates: dict[str, object] = {
            field: getattr(self, field)
            for field in (
                "estimated_value",
                "currency",
                "estimated_close_date",
                "crm_id",
                "campaign_id",
            )
            if field in sent
        }
        if "deal_name" in sent:
            updates["name"] = self.deal_name
        if "notes" in sent:
            updates["notes"] = self.notes
        merged = deal.model_copy(update=updates)
        if merged.estimated_value is not None and merged.currency is None:
            raise InvalidInput(
                "The deal has a value but no currency.",
                [FieldError("currency", "Give the currency of the estimated value, such as EUR.")],
            )
        return merged
