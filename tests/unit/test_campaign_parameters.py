"""Campaign parameters: a Description carrying the storefront's URL parameters fills the
campaign id and keeps the rest as tracking parameters; plain text stays text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.domain.lead import MARKETPLACE, Lead
from shared.domain.lead_parts import Deal
from shared.domain.lead_policy import LeadPolicy
from shared.domain.marketplace_payload import parse_marketplace_payload
from shared.services.customer_checks import SpamDomains
from shared.services.marketplace_leads import marketplace_lead_details

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _delivery(description: str) -> dict[str, object]:
    return {
        "UserDetails": {"FirstName": "Mia", "Email": "mia@fabrikam.de"},
        "LeadSource": "AppSource (SPZA)-PLT|fab.fleet",
        "Description": description,
    }


def _lead(description: str) -> Lead:
    delivery = parse_marketplace_payload(_delivery(description))
    details = marketplace_lead_details(delivery, spam_domains=SpamDomains.from_lines([]), now=NOW)
    return Lead.receive(
        lead_id="l1",
        partner_id="contoso",
        dedup_key="k",
        details=details,
        actor=MARKETPLACE,
        now=NOW,
        policy=LeadPolicy(),
    )


def test_url_parameters_fill_the_campaign_and_keep_the_rest() -> None:
    parameters = {
        "MktCmpId": "spring-2026",
        "partnerid": "4711",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "page": 2,
    }
    lead = _lead(json.dumps(parameters))
    assert lead.deal is not None
    assert lead.deal.campaign_id == "spring-2026"
    assert lead.tracking_parameters == {
        "partnerid": "4711",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "page": "2",
    }
    assert lead.description is None


def test_parameters_without_a_campaign_are_all_tracking() -> None:
    lead = _lead('{"utm_campaign": "launch"}')
    assert lead.deal is None
    assert lead.tracking_parameters == {"utm_campaign": "launch"}


@pytest.mark.parametrize(
    "text",
    [
        "Wants a demo for 400 vans",
        "{not json at all",
        '{"nested": {"mktcmpid": "x"}}',
        "[1, 2]",
        "{}",
    ],
)
def test_anything_else_stays_the_description(text: str) -> None:
    lead = _lead(text)
    assert lead.description == text
    assert lead.deal is None
    assert lead.tracking_parameters == {}


def test_accepting_keeps_the_campaign_it_arrived_with_unless_given_another() -> None:
    lead = _lead('{"mktcmpid": "spring-2026"}')
    lead.accept(Deal(name="Fleet"), team=[], contacts=[], actor=MARKETPLACE, now=NOW)
    assert lead.deal is not None
    assert lead.deal.campaign_id == "spring-2026"
    other = _lead('{"mktcmpid": "spring-2026"}')
    other.accept(
        Deal(name="Fleet", campaign_id="own"), team=[], contacts=[], actor=MARKETPLACE, now=NOW
    )
    assert other.deal is not None
    assert other.deal.campaign_id == "own"
