"""Rating a lead High (likely to convert) or Low (potential spam), with reasons a partner can read.

docs/behaviour.md names the two ratings but not the rule, so the rule is kept simple enough
to explain in the tooltip that shows the reasons:

A lead is **Low** when any of these holds:

- the email address, or its domain, is on the disposable/spam list;
- the email address is not valid, or obviously not the customer's: a reserved domain (`.test`,
  `.example`, `.invalid`, `.localhost`), a placeholder (`test@test.com`), one slip from a major
  provider or ending (`gmial.con`), or a domain mixing alphabets (a look-alike);
- the name or company is a placeholder (`asdf`, `test`);
- the phone number is too short or too long to be any phone number (`123`);
- there is no way to reach the customer: neither an email address that is present and not known to
  be bad (Valid or Unknown), nor a phone number that is present and not known to be bad (Valid, or
  Unknown because no country was given to judge it by);
- it is a marketplace test lead (the Validate button's `MSFT_TEST` values).

Otherwise it is **High**. The reasons list every signal that counted, for or against: what made it
Low (if anything) first, then the other negatives (free-mail provider, missing or invalid phone,
no company...), then the positives (business domain, valid phone, contact requested...). The order
is fixed by `QualityReason`'s declaration order, so the same lead always reads the same.
"""

from __future__ import annotations

from enum import StrEnum

from shared.domain.lead_values import EmailValidity, PhoneValidity, Quality, QualityRating
from shared.services.customer_checks import CheckedCustomer
from shared.services.email_domains import DomainKind, DomainProblem


class QualityReason(StrEnum):
    """Every reason a rating can give, in the order they are shown."""

    TEST_LEAD = "Marketplace test lead"
    SPAM_EMAIL = "Email domain is a known disposable or spam domain"
    MIXED_SCRIPTS_EMAIL = "Email domain mixes alphabets: it imitates another domain"
    RESERVED_EMAIL = "Email domain is reserved for examples and tests: no mail reaches it"
    PLACEHOLDER_EMAIL = "Email address is a placeholder, not the customer's"
    TYPO_EMAIL = "Email domain looks like a typo of a common provider or ending"
    INVALID_EMAIL = "Email address is not valid"
    PLACEHOLDER_NAME = "Name or company is a placeholder"
    NOT_A_PHONE = "Phone number is too short or too long to be a phone number"
    UNREACHABLE = "No way to reach the customer"
    NO_EMAIL = "No email address given"
    FREE_MAIL = "Free email provider"
    INVALID_PHONE = "Phone number is not valid"
    UNCHECKED_PHONE = "Phone number could not be checked"
    NO_PHONE = "No phone number given"
    NO_COMPANY = "No company name given"
    BUSINESS_EMAIL = "Business email domain"
    VALID_EMAIL = "Valid email address"
    VALID_PHONE = "Valid phone number"
    CONTACT_REQUESTED = "Customer asked to be contacted"
    COMPANY_GIVEN = "Company name given"


LOW_REASONS = frozenset(
    {
        QualityReason.TEST_LEAD,
        QualityReason.SPAM_EMAIL,
        QualityReason.MIXED_SCRIPTS_EMAIL,
        QualityReason.RESERVED_EMAIL,
        QualityReason.PLACEHOLDER_EMAIL,
        QualityReason.TYPO_EMAIL,
        QualityReason.INVALID_EMAIL,
        QualityReason.PLACEHOLDER_NAME,
        QualityReason.NOT_A_PHONE,
        QualityReason.UNREACHABLE,
    }
)
_PROBLEM_REASONS = {
    DomainProblem.MIXED_SCRIPTS: QualityReason.MIXED_SCRIPTS_EMAIL,
    DomainProblem.RESERVED: QualityReason.RESERVED_EMAIL,
    DomainProblem.PLACEHOLDER: QualityReason.PLACEHOLDER_EMAIL,
    DomainProblem.TYPO: QualityReason.TYPO_EMAIL,
}
_REACHABLE_EMAIL = frozenset({EmailValidity.VALID, EmailValidity.UNKNOWN})
_REACHABLE_PHONE = frozenset({PhoneValidity.VALID, PhoneValidity.UNKNOWN})


def assess_quality(checked: CheckedCustomer, *, contact_requested: bool, is_test: bool) -> Quality:
    found = _email_reasons(checked) | _phone_reasons(checked)
    customer = checked.customer
    reachable = (customer.email is not None and checked.email_validity in _REACHABLE_EMAIL) or (
        customer.phone is not None and checked.phone_validity in _REACHABLE_PHONE
    )
    if not reachable:
        found.add(QualityReason.UNREACHABLE)
    if is_test:
        found.add(QualityReason.TEST_LEAD)
    if contact_requested:
        found.add(QualityReason.CONTACT_REQUESTED)
    if checked.placeholder_name:
        found.add(QualityReason.PLACEHOLDER_NAME)
    found.add(QualityReason.COMPANY_GIVEN if customer.company else QualityReason.NO_COMPANY)
    rating = QualityRating.LOW if found & LOW_REASONS else QualityRating.HIGH
    return Quality(rating=rating, reasons=tuple(r.value for r in QualityReason if r in found))


def _email_reasons(checked: CheckedCustomer) -> set[QualityReason]:
    if checked.customer.email is None:
        return {QualityReason.NO_EMAIL}
    if checked.email_problem is not None:  # the specific reason says more than "not valid"
        return {_PROBLEM_REASONS[checked.email_problem]}
    if checked.email_validity is EmailValidity.SPAM:
        return {QualityReason.SPAM_EMAIL}
    if checked.email_validity is EmailValidity.INVALID:
        return {QualityReason.INVALID_EMAIL}
    if checked.email_validity is EmailValidity.UNKNOWN:
        return set()
    kind = {
        DomainKind.BUSINESS: {QualityReason.BUSINESS_EMAIL},
        DomainKind.FREE_MAIL: {QualityReason.FREE_MAIL},
    }.get(checked.email_domain_kind, set())
    return {QualityReason.VALID_EMAIL, *kind}


def _phone_reasons(checked: CheckedCustomer) -> set[QualityReason]:
    if checked.customer.phone is None:
        return {QualityReason.NO_PHONE}
    if not checked.phone_possible:
        return {QualityReason.NOT_A_PHONE}
    return {
        PhoneValidity.VALID: {QualityReason.VALID_PHONE},
        PhoneValidity.INVALID: {QualityReason.INVALID_PHONE},
        PhoneValidity.UNKNOWN: {QualityReason.UNCHECKED_PHONE},
    }[checked.phone_validity]
