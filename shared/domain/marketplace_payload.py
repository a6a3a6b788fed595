"""Reading the marketplace's HTTPS-endpoint lead delivery.

See docs/behaviour.md, "Marketplace deliveries".

The marketplace sends loose JSON: every property is an optional string and names arrive in any
case. Any JSON object becomes either a `MarketplaceDelivery` or one `InvalidInput` naming every bad
field; `lead_source` interprets `LeadSource`/`ActionCode`, flagging rather than refusing what it
does not know. Values are cleaned (control characters, surrounding whitespace) but not normalised:
judging emails, phones and countries is the customer checks' job, outside the domain.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from pydantic import Field
from pydantic.alias_generators import to_pascal

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.lead_source import read_lead_source
from shared.domain.lead_values import CallToAction, LeadFlag, Offer, Storefront, ValueObject

MAX_TEXT_LENGTH = 1024
MAX_DESCRIPTION_LENGTH = 8000
MAX_PARAMETER_LENGTH = 100  # a URL parameter's name
CAMPAIGN_KEY = "mktcmpid"  # the marketplace's campaign id among the storefront's URL parameters
TEST_MARKER = "msft_test"  # the marketplace's Validate button fills every value with MSFT_TEST_<n>

# Control (Cc) and format (Cf) characters are invisible and can smuggle line breaks into CSV cells
# and email headers; lone surrogates (Cs), which JSON can carry, cannot even be encoded as UTF-8.
_STRIPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


class RawCustomer(ValueObject):
    """The customer as delivered: cleaned text, not yet checked or normalised."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    company: str | None = None
    title: str | None = None


class MarketplaceDelivery(ValueObject):
    storefront: Storefront | None
    raw_source: str | None  # the source part of LeadSource as given, known or not
    action_code: str | None  # as given
    call_to_action: CallToAction | None
    requires_action: bool
    offer: Offer
    customer: RawCustomer
    description: str | None
    is_test: bool
    flags: tuple[LeadFlag, ...] = ()
    campaign_id: str | None = None  # `mktcmpid` of the storefront's URL parameters
    tracking_parameters: dict[str, str] = Field(default_factory=dict)


# Wire names for the error messages: `UserDetails.FirstName`, as the marketplace documents them.
_CUSTOMER_FIELDS = {attr: to_pascal(attr) for attr in RawCustomer.model_fields}


def clean_text(value: str, *, keep: str = "") -> str | None:
    """Strip control and format characters (except those in `keep`) and whitespace; "" is None."""
    kept = "".join(
        char
        for char in value
        if char in keep or unicodedata.category(char) not in _STRIPPED_CATEGORIES
    )
    return kept.strip() or None


def parse_marketplace_payload(body: Mapping[str, object]) -> MarketplaceDelivery:
    """Interpret one delivery; raises `InvalidInput` (and nothing else) listing every bad field."""
    reader = _FieldReader()
    top = _fold_keys(body)
    details = reader.mapping(top, "UserDetails")
    fields = _CUSTOMER_FIELDS.items()
    customer = RawCustomer(
        **{attr: reader.text(details, f"UserDetails.{name}") for attr, name in fields}
    )
    lead_source = reader.text(top, "LeadSource")
    separate_action = reader.text(top, "ActionCode")
    offer_title = reader.text(top, "OfferTitle")
    description = reader.text(top, "Description", limit=MAX_DESCRIPTION_LENGTH, keep="\n\t")
    if reader.errors:
        raise InvalidInput("The lead delivery has invalid fields.", reader.errors)

    reading = read_lead_source(lead_source, separate_action)
    offer_id = reading.offer_id
    flags = reading.flags
    if offer_id is None and offer_title is None:
        flags += (LeadFlag.MISSING_OFFER,)
    publisher, dot, _ = (offer_id or "").partition(".")
    values = [*customer.model_dump().values(), description]
    parameters = url_parameters(description)
    campaign_id = None
    if parameters is not None:
        description = None  # not the customer's words: the storefront's URL parameters
        campaign_key = next((key for key in parameters if key.casefold() == CAMPAIGN_KEY), None)
        campaign_id = parameters.pop(campaign_key) if campaign_key else None
    return MarketplaceDelivery(
        storefront=reading.storefront,
        raw_source=reading.raw_source,
        action_code=reading.action_code,
        call_to_action=reading.call_to_action,
        requires_action=reading.call_to_action is CallToAction.CONTACT_ME,
        offer=Offer(
            id=offer_id, publisher_id=(publisher or None) if dot else None, title=offer_title
        ),
        customer=customer,
        description=description,
        is_test=any(isinstance(v, str) and v.casefold().startswith(TEST_MARKER) for v in values),
        flags=flags,
        campaign_id=campaign_id,
        tracking_parameters=parameters or {},
    )


def url_parameters(description: str | None) -> dict[str, str] | None:
    """The storefront's URL parameters when `Description` is a flat JSON object of them
    (`{"mktcmpid": "...", "utm_source": "..."}`); None for a plain-text description."""
    if not description or not description.startswith("{"):
        return None
    try:
        value = json.loads(description)
    except ValueError:
        return None
    if not isinstance(value, dict) or not value:
        return None
    parameters: dict[str, str] = {}
    for name, item in value.items():
        if isinstance(item, dict | list):
            return None  # structured data is not a query string: keep the text as it came
        key = clean_text(name)
        text = (
            None
            if item is None
            else clean_text(item if isinstance(item, str) else json.dumps(item))
        )
        if key and text and len(key) <= MAX_PARAMETER_LENGTH:
            parameters[key] = text[:MAX_TEXT_LENGTH]
    return parameters


def _fold_keys(properties: Mapping[Any, object]) -> dict[str, object]:
    """Property names case-folded; when a name repeats in another case the first one wins."""
    folded: dict[str, object] = {}
    for name, value in properties.items():
        if isinstance(name, str):
            folded.setdefault(name.casefold(), value)
    return folded


class _FieldReader:
    """Reads typed fields and collects every problem, so the caller hears about all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def mapping(self, properties: Mapping[str, object], name: str) -> dict[str, object]:
        value = properties.get(name.casefold())
        if value is None:
            return {}
        if isinstance(value, Mapping):
            return _fold_keys(value)
        self.errors.append(FieldError(field=name, message="must be an object"))
        return {}

    def text(
        self,
        properties: Mapping[str, object],
        path: str,
        *,
        limit: int = MAX_TEXT_LENGTH,
        keep: str = "",
    ) -> str | None:
        """The string at `path` (its last part names the property), cleaned; None when absent."""
        value = properties.get(path.rpartition(".")[2].casefold())
        if value is None:  # JSON null is the same as absent
            return None
        if not isinstance(value, str):
            self.errors.append(FieldError(field=path, message="must be a string"))
            return None
        cleaned = clean_text(value, keep=keep)
        if cleaned is not None and len(cleaned) > limit:
            message = f"must be at most {limit} characters"
            self.errors.append(FieldError(field=path, message=message))
            return None
        return cleaned
