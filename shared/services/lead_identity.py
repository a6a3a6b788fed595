"""Which deliveries are the same lead: the same customer for the same offer (or profile).

The key is a hash, so it is a valid RowKey whatever the input and carries no personal data.
"""

from __future__ import annotations

import hashlib
import json

from shared.domain.lead import LeadDetails
from shared.domain.lead_values import LeadType


def dedup_key(details: LeadDetails) -> str:
    return hashed_key(
        "\x1f".join([details.view.value, _offer_part(details), _customer_part(details)])
    )


def hashed_key(text: str) -> str:
    """A RowKey-safe, fixed-length stand-in for text that may hold anything, personal data too."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _offer_part(details: LeadDetails) -> str:
    if details.lead_type is LeadType.PROFILE:
        return "profile"
    offer = details.offer
    if offer and offer.id:
        return "offer:" + offer.id.casefold()
    if offer and offer.title:
        return "title:" + offer.title.casefold()
    return "offer:unknown"


def _customer_part(details: LeadDetails) -> str:
    customer = details.customer
    if customer.email:
        return "email:" + customer.email.casefold()
    person = [customer.first_name, customer.last_name, customer.company, customer.phone]
    if any(person):
        return "person:" + "|".join((value or "").casefold() for value in person)
    # Nobody to recognise: only an identical delivery is the same lead.
    anonymous = details.model_dump(mode="json", exclude={"interaction"})
    return "anonymous:" + json.dumps(anonymous, sort_keys=True)
