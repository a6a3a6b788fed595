"""Turns a marketplace webhook delivery into the details of a lead."""

from __future__ import annotations

from datetime import datetime

from shared.domain.lead import LeadDetails
from shared.domain.lead_parts import Deal, Interaction
from shared.domain.lead_values import LeadType, View
from shared.domain.marketplace_payload import MarketplaceDelivery
from shared.services.customer_checks import SpamDomains, check_customer
from shared.services.lead_quality import assess_quality


def marketplace_lead_details(
    delivery: MarketplaceDelivery,
    *,
    spam_domains: SpamDomains,
    now: datetime,
    delivery_id: str | None = None,
) -> LeadDetails:
    checked = check_customer(delivery.customer, spam_domains)
    contact_requested = delivery.requires_action  # Contact me: the customer asked to be called
    return LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.OFFER,
        source=delivery.storefront,
        raw_source=delivery.raw_source,
        interaction=Interaction(
            action_code=delivery.action_code,
            call_to_action=delivery.call_to_action,
            source=delivery.storefront,
            at=now,
            delivery_id=delivery_id,
            description=delivery.description,
        ),
        offer=delivery.offer,
        customer=checked.customer,
        description=delivery.description,
        email_validity=checked.email_validity,
        phone_validity=checked.phone_validity,
        quality=assess_quality(
            checked, contact_requested=contact_requested, is_test=delivery.is_test
        ),
        requires_action=delivery.requires_action,
        contact_requested=contact_requested,
        is_test=delivery.is_test,
        flags=delivery.flags,
        # The campaign is the deal's campaign id: shown, exported, and kept when accepted.
        deal=Deal(campaign_id=delivery.campaign_id) if delivery.campaign_id else None,
        tracking_parameters=delivery.tracking_parameters,
    )
