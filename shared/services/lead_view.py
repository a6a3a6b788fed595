"""A lead as the workspace API shows it: derived fields added, retired contact hidden.

The fields: docs/http-contract.md, "A lead".
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from shared.domain.lead import Lead
from shared.domain.lead_action import LeadAction
from shared.domain.lead_parts import Closing, Closure, HistoryEntry, Person, Sender
from shared.domain.lead_policy import LeadPolicy, needs_answer
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    EmailValidity,
    LeadFlag,
    LeadStatus,
    LeadType,
    Offer,
    Outcome,
    PhoneValidity,
    Qualification,
    Quality,
    Storefront,
    View,
)
from shared.domain.model import ApiModel
from shared.domain.principal import Principal
from shared.domain.team import Owner


class DealView(ApiModel):
    name: str | None = None
    estimated_value: Decimal | None = None
    currency: str | None = None
    estimated_close_date: date | None = None
    notes: str | None = None
    crm_id: str | None = None
    campaign_id: str | None = None


class InteractionView(ApiModel):
    action_code: str | None
    call_to_action: CallToAction | None
    source: Storefront | None
    at: datetime
    delivery_id: str | None = None
    description: str | None = Field(
        default=None, description="What the customer wrote at this visit, if anything."
    )


class LeadView(ApiModel):
    id: str
    etag: str
    view: View
    lead_type: LeadType
    qualification: Qualification | None
    source: Storefront | None
    raw_source: str | None
    action_code: str | None
    call_to_action: CallToAction | None
    offer: Offer | None
    customer: Customer
    description: str | None = Field(
        description="The customer's latest message; each visit's own is in `interactions`."
    )
    email_validity: EmailValidity
    phone_validity: PhoneValidity
    quality: Quality
    requires_action: bool
    contact_requested: bool
    hot: bool = Field(
        description="The customer asked to be contacted, the lead still needs an answer"
        " (Received, action-required), its email is not flagged as spam, and it arrived within"
        " the hot window (72 hours). Never true for Accepted, archived or spam-flagged leads."
    )
    hot_until: datetime | None = Field(
        description="When the lead stops (or stopped) being hot; null when it never is hot"
        " (no contact requested, already answered, archived or spam-flagged)."
    )
    needs_answer: bool = Field(
        description="Received and action-required: the partner still owes an accept or a"
        " decline. False for informational leads (no action needed) and answered ones."
    )
    status: LeadStatus
    outcome: Outcome | None
    created_at: datetime
    respond_by: datetime | None
    archive_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    deal: DealView | None
    team: list[Person]
    contacts: list[Person]
    decline: Closure | None
    lost: Closure | None
    closing: Closing | None = Field(
        description="How a Won or Lost deal ended: the final notes, value and currency, kept"
        " apart from `deal` (whose notes and estimate stay as they were)."
    )
    favorite: bool
    interactions: list[InteractionView]
    sender: Sender | None
    is_test: bool
    flags: list[LeadFlag]
    tracking_parameters: dict[str, str]
    history: list[HistoryEntry]
    owner: Owner | None = Field(
        default=None,
        description="Who in the partner's Team owns the lead (not the deal's `team`); null:"
        " unassigned.",
    )
    allowed_actions: list[LeadAction] = Field(
        description="What the caller may do to the lead now, given its state and the caller's"
        " roles: exactly the actions that would not be refused (403 or 409). Show these, and no"
        " others.",
        json_schema_extra={"uniqueItems": True},
    )


def http_etag(lead: Lead) -> str:
    """A strong, opaque ETag for HTTP, derived from the storage version."""
    digest = hashlib.sha256((lead.etag or "").encode("utf-8")).hexdigest()[:32]
    return f'"{digest}"'


def present(
    lead: Lead, *, now: datetime, policy: LeadPolicy, favorite: bool, viewer: Principal
) -> LeadView:
    shown = lead.shows_contact
    return LeadView(
        **lead.model_dump(
            include={
                "id",
                "view",
                "lead_type",
                "qualification",
                "source",
                "raw_source",
                "action_code",
                "call_to_action",
                "offer",
                "description",
                "email_validity",
                "phone_validity",
                "quality",
                "requires_action",
                "contact_requested",
                "status",
                "outcome",
                "created_at",
                "respond_by",
                "archive_at",
                "accepted_at",
                "closed_at",
                "deal",
                "closing",
                "interactions",
                "sender",
                "is_test",
                "flags",
                "tracking_parameters",
                "history",
                "owner",
            }
        ),
        etag=http_etag(lead),
        # Stored data is cleared when a lead expires; the API keeps the rule regardless.
        customer=lead.customer if shown else lead.customer.without_contact(),
        team=lead.team,
        contacts=lead.contacts,
        decline=lead.decline_reason,
        lost=lead.lost_reason,
        hot=policy.is_hot(lead, now),
        hot_until=policy.hot_until(lead),
        needs_answer=needs_answer(lead),
        favorite=favorite,
        allowed_actions=lead.allowed_actions(viewer),
    )
