"""Quality and validity are not fooled by the obvious: each fake a person would spot at a glance
gives a Low lead whose reasons name the problem (through `check_customer` and `assess_quality`,
as intake runs them)."""

from __future__ import annotations

import pytest

from shared.domain.lead_values import EmailValidity, PhoneValidity, QualityRating
from shared.domain.marketplace_payload import RawCustomer
from shared.services.customer_checks import SpamDomains, check_customer
from shared.services.email_domains import DomainProblem, domain_problem
from shared.services.lead_quality import QualityReason, assess_quality

SHIPPED = SpamDomains.load()
GOOD = {"first_name": "Ana", "last_name": "Lima", "company": "Northwind", "country": "DE"}
GOOD_PHONE = "+49 30 901820"
R = QualityReason


def _reasons(**fields: str) -> tuple[QualityRating, tuple[str, ...]]:
    checked = check_customer(RawCustomer(**{**GOOD, **fields}), SHIPPED)
    quality = assess_quality(checked, contact_requested=True, is_test=False)
    return quality.rating, quality.reasons


def test_a_real_looking_customer_is_high() -> None:
    rating, reasons = _reasons(email="ana.lima@northwind.de", phone=GOOD_PHONE)
    assert rating is QualityRating.HIGH
    assert R.BUSINESS_EMAIL in reasons


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("test@test.com", R.PLACEHOLDER_EMAIL),
        ("ana@northwind.test", R.RESERVED_EMAIL),
        ("ana@northwind.example", R.RESERVED_EMAIL),
        ("ana@example.com", R.RESERVED_EMAIL),
        ("ana@northwind.invalid", R.RESERVED_EMAIL),
        ("ana@northwind.localhost", R.RESERVED_EMAIL),
        ("ana@gmial.con", R.TYPO_EMAIL),
        ("ana@gmial.com", R.TYPO_EMAIL),
        ("ana@northwind.cmo", R.TYPO_EMAIL),
        ("ana@hotmial.de", R.TYPO_EMAIL),
        ("ana@ex\u0430mple.com", R.MIXED_SCRIPTS_EMAIL),  # a Cyrillic a among Latin letters
    ],
)
def test_an_obviously_fake_email_makes_the_lead_low_naming_why(email: str, reason: str) -> None:
    rating, reasons = _reasons(email=email, phone=GOOD_PHONE)
    assert rating is QualityRating.LOW
    assert reasons[0] == reason
    assert R.BUSINESS_EMAIL not in reasons
    assert R.VALID_EMAIL not in reasons


def test_a_look_alike_domain_is_flagged_as_spam_risk() -> None:
    checked = check_customer(RawCustomer(email="ana@ex\u0430mple.com"), SHIPPED)
    assert checked.email_validity is EmailValidity.SPAM


@pytest.mark.parametrize(
    "name", [{"first_name": "asdf"}, {"last_name": "Test"}, {"company": "xxxx"}]
)
def test_a_placeholder_name_makes_the_lead_low(name: dict[str, str]) -> None:
    rating, reasons = _reasons(email="ana.lima@northwind.de", phone=GOOD_PHONE, **name)
    assert rating is QualityRating.LOW
    assert R.PLACEHOLDER_NAME in reasons


def test_phone_123_is_invalid_kept_as_typed_and_makes_the_lead_low() -> None:
    checked = check_customer(RawCustomer(**{**GOOD, "country": "US", "phone": "123"}), SHIPPED)
    assert (checked.customer.phone, checked.phone_validity) == ("123", PhoneValidity.INVALID)
    rating, reasons = _reasons(email="ana.lima@northwind.de", phone="123", country="US")
    assert rating is QualityRating.LOW
    assert R.NOT_A_PHONE in reasons


@pytest.mark.parametrize(
    "domain",
    ["gmail.com", "outlook.de", "yahoo.fr", "gmx.net", "aon.com", "contoso.co", "northwind.io",
     "m\u00fcnchen.de", "\u65e5\u672c\u3054.jp", "contoso.om"],
)  # fmt: skip
def test_real_domains_are_not_taken_for_fakes(domain: str) -> None:
    assert domain_problem(domain) is None


def test_reserved_beats_other_problems() -> None:
    assert domain_problem("test.example") is DomainProblem.RESERVED
