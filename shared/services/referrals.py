"""A qualified lead or profile inquiry sent by vendor staff (docs/http-contract.md, "Intake")."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import Field, StrictBool, model_validator

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.lead import LeadDetails
from shared.domain.lead_parts import Deal, Interaction, Sender
from shared.domain.lead_values import EmailValidity, LeadType, Offer, Qualification, View
from shared.domain.marketplace_payload import RawCustomer
from shared.domain.model import ApiModel
from shared.domain.principal import Principal
from shared.services.contact_fields import Currency
from shared.services.customer_checks import SpamDomains, check_customer
from shared.services.lead_quality import assess_quality

ShortText = Annotated[str, Field(max_length=1024)]


class ReferralCustomer(ApiModel):
    first_name: ShortText | None = None
    last_name: ShortText | None = None
    email: ShortText | None = None
    phone: ShortText | None = None
    country: ShortText | None = None
    company: ShortText | None = None
    title: ShortText | None = None


class ReferralOffer(ApiModel):
    id: ShortText | None = None
    title: ShortText | None = None


class ReferLead(ApiModel):
    qualification: Qualification
    lead_type: LeadType
    customer: ReferralCustomer
    notes: Annotated[str, Field(max_length=8000)] | None = None
    contact_requested: StrictBool = False  # a JSON true or false: not 0, 1 or "yes"
    offer: ReferralOffer | None = None
    estimated_value: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)] | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.lead_type is LeadType.OFFER and not (
            self.offer and (self.offer.id or self.offer.title)
        ):
            raise ValueError("an Offer lead needs offer.id or offer.title")
        if not (self.customer.email or self.customer.phone):
            raise ValueError("give the customer's email or phone: the partner must reach them")
        if (self.estimated_value is None) != (self.currency is None):
            raise ValueError("estimatedValue and currency go together")
        return self

    def fingerprint(self) -> str:
        """What an Idempotency-Key is checked against: the same key must carry the same body."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()


def referral_view(qualification: Qualification) -> View:
    """The workspace tab of a referral (docs/behaviour.md, "Kinds of lead").

    The Qualified tab holds what vendor staff qualified (marketing- or sales-qualified). A customer
    inquiry is the customer's own request about the partner's business profile or one of its
    offers, passed on by staff: a marketplace lead, whichever the lead type.
    """
    if qualification is Qualification.CUSTOMER_INQUIRY:
        return View.MARKETPLACE
    return View.QUALIFIED


def referral_lead_details(
    command: ReferLead, *, sender: Principal, spam_domains: SpamDomains, now: datetime
) -> LeadDetails:
    raw = RawCustomer(**command.customer.model_dump())
    checked = check_customer(raw, spam_domains)
    if checked.email_validity is EmailValidity.INVALID:
        # Staff can correct a typo; the marketplace cannot, so only referrals are refused for it.
        raise InvalidInput(
            "The customer's email address is not valid.",
            [FieldError("customer.email", "not a valid email address")],
        )
    offer = command.offer
    deal = None
    if command.estimated_value is not None:
        deal = Deal(estimated_value=command.estimated_value, currency=command.currency)
    return LeadDetails(
        view=referral_view(command.qualification),
        lead_type=command.lead_type,
        qualification=command.qualification,
        interaction=Interaction(
            action_code=command.qualification.value, at=now, description=command.notes
        ),
        offer=Offer(
            id=offer.id,
            publisher_id=offer.id.split(".", 1)[0] if offer.id and "." in offer.id else None,
            title=offer.title,
        )
        if offer
        else None,
        customer=checked.customer,
        description=command.notes,
        email_validity=checked.email_validity,
        phone_validity=checked.phone_validity,
        quality=assess_quality(checked, contact_requested=command.contact_requested, is_test=False),
        requires_action=True,
        contact_requested=command.contact_requested,
        sender=Sender(user_id=sender.user_id, name=sender.name, email=sender.email),
        deal=deal,
    )
