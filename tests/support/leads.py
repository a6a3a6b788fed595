"""Leads built through the aggregate, as intake builds them, at any instant (jobs tests)."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.domain.lead import MARKETPLACE, Lead, LeadDetails
from shared.domain.lead_parts import Interaction, Sender
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    LeadType,
    Offer,
    Quality,
    QualityRating,
    Storefront,
    View,
)


def make_lead(
    partner_id: str,
    *,
    at: datetime,
    contact_me: bool = True,
    lead_id: str | None = None,
    sender: Sender | None = None,
    is_test: bool = False,
    company: str = "Fabrikam",
    policy: LeadPolicy | None = None,
) -> Lead:
    """A marketplace lead received at `at`: Contact me (action required) or Get it now."""
    lead_id = lead_id or uuid.uuid4().hex
    details = LeadDetails(
        view=View.QUALIFIED if sender else View.MARKETPLACE,
        lead_type=LeadType.OFFER,
        source=Storefront.APPSOURCE,
        interaction=Interaction(
            action_code="PLT" if contact_me else "INS",
            call_to_action=CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW,
            source=Storefront.APPSOURCE,
            at=at,
        ),
        offer=Offer(id="fabrikam.fleet", publisher_id="fabrikam", title="Fleet Insights"),
        customer=Customer(
            first_name="Mia",
            last_name="Schmidt",
            email=f"mia.{lead_id[:8]}@fabrikam.example",
            phone="+4930901820",
            company=company,
            title="CTO",
            country="DE",
        ),
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=contact_me,
        contact_requested=contact_me,
        sender=sender,
        is_test=is_test,
    )
    return Lead.receive(
        lead_id=lead_id,
        partner_id=partner_id,
        dedup_key=f"dedup-{lead_id}",
        details=details,
        actor=MARKETPLACE,
        now=at,
        policy=policy or LeadPolicy(),
    )
