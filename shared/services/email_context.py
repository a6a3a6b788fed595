"""What the email templates see of a lead: strangers' text as data, times in the partner's zone.

Only what a reader needs to decide and click through; the customer's email and phone stay in the
partner UI, so a forwarded email spreads no contact details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain.lead import Lead
from shared.domain.lead_policy import LeadPolicy

_DESCRIPTION_LIMIT = 500
_TITLE_LIMIT = 200
# The product's words for the values, as the workspace shows them (docs/behaviour.md).
_LABELS = {
    "GetItNow": "Get it now",
    "FreeTrial": "Free trial",
    "TestDrive": "Test drive",
    "ContactMe": "Contact me",
    "AzureMarketplace": "Azure Marketplace",
    "AzurePortal": "Azure portal",
}


@dataclass(frozen=True, slots=True)
class EmailLinks:
    """Where emails point: the lead in the partner UI, the marketplace for customers."""

    partner_ui_base_url: str
    marketplace_url: str

    def lead_url(self, lead_id: str) -> str:
        return f"{self.partner_ui_base_url.rstrip('/')}/leads/{lead_id}"

    def leads_url(self) -> str:
        """The lead list: the UI's start page (its router also takes `<base>/leads`)."""
        return f"{self.partner_ui_base_url.rstrip('/')}/"


def local_time(instant: datetime | None, time_zone: str) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(time_zone)).strftime("%d %b %Y, %H:%M %Z")


def customer_name(lead: Lead) -> str | None:
    parts = (lead.customer.first_name, lead.customer.last_name)
    return " ".join(part for part in parts if part) or None


def who(lead: Lead) -> str:
    """How a subject or feed title names the customer: the company, else a neutral phrase."""
    return lead.customer.company or customer_name(lead) or "a customer"


def lead_context(
    lead: Lead, *, now: datetime, policy: LeadPolicy, time_zone: str, links: EmailLinks
) -> dict[str, Any]:
    description = lead.description or ""
    if len(description) > _DESCRIPTION_LIMIT:
        description = description[:_DESCRIPTION_LIMIT].rstrip() + "…"
    return {
        "id": lead.id,
        "who": who(lead),
        "company": lead.customer.company,
        "name": customer_name(lead) if lead.shows_contact else None,
        "title": lead.customer.title if lead.shows_contact else None,
        "country": lead.customer.country,
        "offer": lead.offer.title if lead.offer and lead.offer.title else None,
        "call_to_action": _label(lead.call_to_action),
        "source": _label(lead.source),
        "description": description or None,
        "hot": policy.is_hot(lead, now),
        "received": local_time(lead.created_at, time_zone),
        "respond_by": local_time(lead.respond_by, time_zone),
        "url": links.lead_url(lead.id),
    }


def _label(value: StrEnum | None) -> str | None:
    return _LABELS.get(value.value, value.value) if value is not None else None


def feed_title(prefix: str, lead: Lead) -> str:
    """`<prefix>: <company> · <offer>`, plain text; the UI escapes it like any other field."""
    title = f"{prefix}: {who(lead)}"
    if lead.offer and lead.offer.title:
        title += f" · {lead.offer.title}"
    return " ".join(title.split())[:_TITLE_LIMIT]
