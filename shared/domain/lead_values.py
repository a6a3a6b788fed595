"""The closed sets of values a lead carries (docs/behaviour.md), and its small value objects."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class View(StrEnum):
    """The workspace tab a lead belongs to (favourites are per user, not a view of storage)."""

    MARKETPLACE = "marketplace"
    QUALIFIED = "qualified"


class LeadType(StrEnum):
    OFFER = "Offer"
    PROFILE = "Profile"


class Qualification(StrEnum):
    MARKETING_QUALIFIED = "MarketingQualified"
    SALES_QUALIFIED = "SalesQualified"
    CUSTOMER_INQUIRY = "CustomerInquiry"


class Storefront(StrEnum):
    APPSOURCE = "AppSource"
    AZURE_MARKETPLACE = "AzureMarketplace"
    AZURE_PORTAL = "AzurePortal"


class CallToAction(StrEnum):
    GET_IT_NOW = "GetItNow"
    FREE_TRIAL = "FreeTrial"
    TEST_DRIVE = "TestDrive"
    CONTACT_ME = "ContactMe"


class LeadStatus(StrEnum):
    RECEIVED = "Received"
    ACCEPTED = "Accepted"
    ARCHIVED = "Archived"


class Outcome(StrEnum):
    WON = "Won"
    LOST = "Lost"
    DECLINED = "Declined"
    EXPIRED = "Expired"
    AGED_OUT = "AgedOut"


class EmailValidity(StrEnum):
    VALID = "Valid"
    INVALID = "Invalid"
    SPAM = "Spam"
    UNKNOWN = "Unknown"


class PhoneValidity(StrEnum):
    VALID = "Valid"
    INVALID = "Invalid"
    UNKNOWN = "Unknown"


class QualityRating(StrEnum):
    HIGH = "High"
    LOW = "Low"


class ReasonCode(StrEnum):
    """Why a lead was declined or lost (docs/http-contract.md)."""

    BUDGET_NOT_ADEQUATE = "BudgetNotAdequate"
    CUSTOMER_DID_NOT_RESPOND = "CustomerDidNotRespond"
    CUSTOMER_CHOSE_ANOTHER_VENDOR = "CustomerChoseAnotherVendor"
    REQUIREMENT_NOT_MET = "RequirementNotMet"
    NOT_A_CUSTOMER = "NotACustomer"
    TIMELINE_TOO_SHORT = "TimelineTooShort"
    ABUSE_SPAM_OR_PHISHING = "AbuseSpamOrPhishing"
    OTHER = "Other"


class LeadFlag(StrEnum):
    """Something about the delivery a person should look at; never a reason to drop a lead."""

    UNKNOWN_SOURCE = "UnknownSource"
    UNKNOWN_ACTION_CODE = "UnknownActionCode"
    MISSING_OFFER = "MissingOffer"


class ValueObject(BaseModel):
    """Immutable, camelCase on the wire."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)


class Customer(ValueObject):
    """Normalised customer details. Contact fields become None once a lead expires or ages out."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, or the text given when unrecognised
    company: str | None = None
    title: str | None = None

    def without_contact(self) -> Customer:
        """What stays once a lead expires or ages out: company and country, for the records."""
        return self.model_copy(
            update={
                "first_name": None,
                "last_name": None,
                "email": None,
                "phone": None,
                "title": None,
            }
        )


class Offer(ValueObject):
    id: str | None = None  # "publisherId.offerId" as published
    publisher_id: str | None = None
    title: str | None = None


class Quality(ValueObject):
    rating: QualityRating
    reasons: tuple[str, ...] = ()
