"""Lead quality: each rule that makes a lead Low, and the reasons a partner reads, in order."""

from __future__ import annotations

import pytest

from shared.domain.lead_values import (
    Customer,
    EmailValidity,
    PhoneValidity,
    Quality,
    QualityRating,
)
from shared.services.customer_checks import CheckedCustomer, DomainKind
from shared.services.lead_quality import LOW_REASONS, QualityReason, assess_quality

R = QualityReason
EMAIL = "ana@northwind.example"
PHONE = "+16175555555"


def _checked(
    *,
    email: str | None = EMAIL,
    email_validity: EmailValidity = EmailValidity.VALID,
    kind: DomainKind = DomainKind.BUSINESS,
    phone: str | None = PHONE,
    phone_validity: PhoneValidity = PhoneValidity.VALID,
    company: str | None = "Northwind",
) -> CheckedCustomer:
    customer = Customer(first_name="Ana", email=email, phone=phone, company=company)
    return CheckedCustomer(customer, email_validity, phone_validity, kind)


def _assess(
    checked: CheckedCustomer, *, contact_requested: bool = False, is_test: bool = False
) -> Quality:
    return assess_quality(checked, contact_requested=contact_requested, is_test=is_test)


def test_a_reachable_business_lead_is_high_with_its_positives() -> None:
    quality = _assess(_checked(), contact_requested=True)
    assert quality.rating is QualityRating.HIGH
    assert quality.reasons == (
        "Business email domain",
        "Valid email address",
        "Valid phone number",
        "Customer asked to be contacted",
        "Company name given",
    )


def test_spam_email_is_low() -> None:
    quality = _assess(_checked(email_validity=EmailValidity.SPAM, kind=DomainKind.DISPOSABLE))
    assert quality.rating is QualityRating.LOW
    assert quality.reasons[0] == "Email domain is a known disposable or spam domain"
    assert R.BUSINESS_EMAIL not in quality.reasons


def test_invalid_email_is_low_even_with_a_valid_phone() -> None:
    quality = _assess(_checked(email_validity=EmailValidity.INVALID, kind=DomainKind.UNKNOWN))
    assert quality.rating is QualityRating.LOW
    assert quality.reasons == ("Email address is not valid", "Valid phone number", R.COMPANY_GIVEN)


def test_no_way_to_reach_the_customer_is_low() -> None:
    checked = _checked(email=None, email_validity=EmailValidity.UNKNOWN, kind=DomainKind.UNKNOWN)
    unreachable = _checked(
        email=None,
        email_validity=EmailValidity.UNKNOWN,
        kind=DomainKind.UNKNOWN,
        phone="12",
        phone_validity=PhoneValidity.INVALID,
    )
    quality = _assess(unreachable)
    assert quality.rating is QualityRating.LOW
    assert quality.reasons == (
        "No way to reach the customer",
        "No email address given",
        "Phone number is not valid",
        "Company name given",
    )
    # A valid phone alone is a way to reach them.
    assert _assess(checked).rating is QualityRating.HIGH


def test_nothing_at_all_is_low_for_every_missing_detail() -> None:
    checked = _checked(
        email=None,
        email_validity=EmailValidity.UNKNOWN,
        kind=DomainKind.UNKNOWN,
        phone=None,
        phone_validity=PhoneValidity.UNKNOWN,
        company=None,
    )
    quality = _assess(checked)
    assert quality.rating is QualityRating.LOW
    assert quality.reasons == (
        "No way to reach the customer",
        "No email address given",
        "No phone number given",
        "No company name given",
    )


def test_an_unjudged_phone_still_reaches_the_customer() -> None:
    checked = _checked(
        email=None,
        email_validity=EmailValidity.UNKNOWN,
        kind=DomainKind.UNKNOWN,
        phone="030 901820",
        phone_validity=PhoneValidity.UNKNOWN,
    )
    quality = _assess(checked)
    assert quality.rating is QualityRating.HIGH
    assert R.UNCHECKED_PHONE in quality.reasons


def test_a_test_lead_is_low_whatever_else() -> None:
    quality = _assess(_checked(), contact_requested=True, is_test=True)
    assert quality.rating is QualityRating.LOW
    assert quality.reasons[0] == "Marketplace test lead"


def test_free_mail_is_a_negative_but_not_low() -> None:
    quality = _assess(_checked(kind=DomainKind.FREE_MAIL, phone=None, company=None))
    assert quality.rating is QualityRating.HIGH
    assert quality.reasons == (
        "Free email provider",
        "No phone number given",
        "No company name given",
        "Valid email address",
    )


@pytest.mark.parametrize("is_test", [False, True])
@pytest.mark.parametrize("contact_requested", [False, True])
@pytest.mark.parametrize("email_validity", list(EmailValidity))
@pytest.mark.parametrize("phone_validity", list(PhoneValidity))
def test_reasons_are_ordered_negatives_first_and_explain_the_rating(
    email_validity: EmailValidity,
    phone_validity: PhoneValidity,
    contact_requested: bool,
    is_test: bool,
) -> None:
    checked = _checked(email_validity=email_validity, phone_validity=phone_validity)
    quality = _assess(checked, contact_requested=contact_requested, is_test=is_test)
    order = [reason.value for reason in QualityReason]
    assert list(quality.reasons) == sorted(quality.reasons, key=order.index)
    assert len(set(quality.reasons)) == len(quality.reasons)
    low = {reason.value for reason in LOW_REASONS}
    assert (quality.rating is QualityRating.LOW) == bool(low & set(quality.reasons))
    positives = order.index(R.BUSINESS_EMAIL)
    assert all(order.index(r) < positives for r in quality.reasons if r in low)
