"""Email, phone and country checks, offline, against the shipped domain lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.lead_values import EmailValidity, PhoneValidity
from shared.domain.marketplace_payload import RawCustomer
from shared.services.countries import country_code, normalise_country
from shared.services.customer_checks import CheckedCustomer, DomainKind, SpamDomains, check_customer

SHIPPED = SpamDomains.load()


def _check(**fields: str | None) -> CheckedCustomer:
    return check_customer(RawCustomer(**fields), SHIPPED)


@pytest.mark.parametrize(
    ("phone", "country", "expected_phone", "validity"),
    [
        ("16175555555", "USA", "+16175555555", PhoneValidity.VALID),
        ("+49 30 901820", None, "+4930901820", PhoneValidity.VALID),
        ("+49 30 901820", "FR", "+4930901820", PhoneValidity.VALID),  # the + wins over the hint
        ("03-1234-5678", "JP", "+81312345678", PhoneValidity.VALID),
        ("(617) 555-5555", "united states", "+16175555555", PhoneValidity.VALID),
        ("1234567890", "US", "1234567890", PhoneValidity.INVALID),  # not real: kept as typed
        ("123", "US", "123", PhoneValidity.INVALID),  # never "+1123": reads like a number
        ("123", None, "123", PhoneValidity.INVALID),  # too short for any country
        ("+49 30 901820;ext=123", None, "+4930901820;ext=123", PhoneValidity.VALID),
        ("+49 30 901820 ext. 45", None, "+4930901820;ext=45", PhoneValidity.VALID),
        ("call me maybe", "DE", "call me maybe", PhoneValidity.INVALID),
        ("+", None, "+", PhoneValidity.INVALID),
        ("030 901820", None, "030 901820", PhoneValidity.UNKNOWN),  # no region, no +: cannot judge
        ("030 901820", "Atlantis", "030 901820", PhoneValidity.UNKNOWN),
        (None, "US", None, PhoneValidity.UNKNOWN),
        ("   ", "US", None, PhoneValidity.UNKNOWN),
    ],
)
def test_phone(
    phone: str | None, country: str | None, expected_phone: str | None, validity: PhoneValidity
) -> None:
    checked = _check(phone=phone, country=country)
    assert (checked.customer.phone, checked.phone_validity) == (expected_phone, validity)


@pytest.mark.parametrize(
    ("email", "expected_email", "validity", "kind"),
    [
        ("someone@contoso.com", "someone@contoso.com", EmailValidity.VALID, DomainKind.BUSINESS),
        (" Mia.Schmidt@Fabrikam.DE ", "mia.schmidt@fabrikam.de", EmailValidity.VALID, "Business"),
        ("Jane@GMAIL.com", "jane@gmail.com", EmailValidity.VALID, DomainKind.FREE_MAIL),
        ("not-an-address", "not-an-address", EmailValidity.INVALID, DomainKind.UNKNOWN),
        ("two@@contoso.com", "two@@contoso.com", EmailValidity.INVALID, DomainKind.UNKNOWN),
        ("x@localhost", "x@localhost", EmailValidity.INVALID, DomainKind.UNKNOWN),
        ("bot@Mailinator.com", "bot@mailinator.com", EmailValidity.SPAM, DomainKind.DISPOSABLE),
        ("bot@eu.mail.yopmail.com", "bot@eu.mail.yopmail.com", EmailValidity.SPAM, "Disposable"),
        ("bad@@mailinator.com", "bad@@mailinator.com", EmailValidity.SPAM, "Disposable"),
        ("a@notmailinator.com", "a@notmailinator.com", EmailValidity.VALID, DomainKind.BUSINESS),
        (None, None, EmailValidity.UNKNOWN, DomainKind.UNKNOWN),
    ],
)
def test_email(email: str | None, expected_email: str | None, validity: str, kind: str) -> None:
    checked = _check(email=email)
    assert checked.customer.email == expected_email
    assert checked.email_validity == validity
    assert checked.email_domain_kind == kind


@pytest.mark.parametrize(
    ("given_country", "expected"),
    [
        ("US", "US"),
        ("de", "DE"),
        ("USA", "US"),
        ("DEU", "DE"),
        ("840", "US"),
        ("36", "AU"),
        ("Germany", "DE"),
        ("united states", "US"),
        ("  Japan ", "JP"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Brasil", "BR"),
        ("South Korea", "KR"),
        ("Russia", "RU"),
        ("Vietnam", "VN"),
        ("Czech Republic", "CZ"),
        ("Turkey", "TR"),
        ("Taiwan", "TW"),
        ("Macedonia", "MK"),
        ("Allemagne", "DE"),  # names in other languages: pycountry's translations
        ("Deutschland", "DE"),
        ("日本", "JP"),
        ("Österreich", "AT"),
        ("Royaume-Uni", "GB"),
        ("Estados Unidos", "US"),
        ("대한민국", "KR"),
        ("Atlantis", "Atlantis"),  # unrecognised text is kept as given
        ("  Mars  Colony ", "Mars  Colony"),
        (None, None),
        ("", None),
    ],
)
def test_country(given_country: str | None, expected: str | None) -> None:
    assert _check(country=given_country).customer.country == expected
    assert normalise_country(given_country) == expected


def test_country_code_says_when_it_does_not_know() -> None:
    assert country_code("Atlantis") is None
    assert country_code("  ") is None
    assert country_code("GB") == "GB"


def test_names_company_and_title_pass_through() -> None:
    raw = RawCustomer(first_name="Ana", last_name="Lima", company="Northwind", title="CFO")
    customer = check_customer(raw, SHIPPED).customer
    assert (customer.first_name, customer.last_name) == ("Ana", "Lima")
    assert (customer.company, customer.title) == ("Northwind", "CFO")


def test_spam_list_format_comments_addresses_and_parents() -> None:
    lists = SpamDomains.from_lines(
        [
            "# disposable",
            "",
            "  Spam.Example  # trailing comment",
            "jerk@contoso.com",
            "*.junk.test",
        ],
        ["free.example"],
    )
    assert lists.is_spam("spam.example")
    assert lists.is_spam("mail.SPAM.example")
    assert lists.is_spam("x@mail.spam.example")
    assert lists.is_spam("Jerk@Contoso.com")
    assert not lists.is_spam("colleague@contoso.com")
    assert lists.is_spam("a@deep.junk.test")
    assert not lists.is_spam("notspam.example")
    assert not lists.is_spam("free.example")
    assert lists.kind_of("free.example") is DomainKind.FREE_MAIL
    assert lists.kind_of("a.spam.example") is DomainKind.DISPOSABLE
    assert lists.kind_of("contoso.com") is None


def test_shipped_lists_load_from_files_beside_the_package(tmp_path: Path) -> None:
    for disposable in ["mailinator.com", "guerrillamail.com", "10minutemail.com", "temp-mail.org"]:
        assert SHIPPED.kind_of(disposable) is DomainKind.DISPOSABLE
    for free in ["gmail.com", "outlook.com", "gmx.de", "qq.com", "proton.me"]:
        assert SHIPPED.kind_of(free) is DomainKind.FREE_MAIL
        assert not SHIPPED.is_spam(free)
    custom = tmp_path / "spam.txt"
    custom.write_text("# ours\nacme-spam.example\n", encoding="utf-8")
    loaded = SpamDomains.load(custom)
    assert loaded.is_spam("a@acme-spam.example")
    assert not loaded.is_spam("a@mailinator.com")  # the file replaces the shipped spam list
    assert loaded.kind_of("gmail.com") is DomainKind.FREE_MAIL  # free mail still the shipped list


def test_a_marketplace_customer_end_to_end() -> None:
    checked = _check(
        first_name="Some",
        email="SomeOne@Contoso.com",
        phone="16175555555",
        country="USA",
    )
    assert checked.customer.email == "someone@contoso.com"
    assert checked.customer.country == "US"
    assert checked.customer.phone == "+16175555555"
    assert (checked.email_validity, checked.phone_validity) == ("Valid", "Valid")


maybe_text = st.none() | st.text(max_size=40)
phoneish = st.none() | st.text(alphabet="+0123456789 ()-.x#*", max_size=30) | st.text(max_size=30)
countryish = st.none() | st.sampled_from(["US", "USA", "DE", "Germany", "AQ", "XK", "UK"])


@settings(max_examples=200, deadline=None)
@given(
    st.builds(
        RawCustomer,
        first_name=maybe_text,
        last_name=maybe_text,
        email=maybe_text | st.emails().map(str.upper),
        phone=phoneish,
        country=countryish | maybe_text,
        company=maybe_text,
        title=maybe_text,
    )
)
def test_check_customer_never_raises(raw: RawCustomer) -> None:
    checked = check_customer(raw, SHIPPED)
    assert (checked.customer.first_name, checked.customer.title) == (raw.first_name, raw.title)
    if raw.email and raw.email.strip():
        assert checked.customer.email is not None  # never lose what the customer typed
    if raw.phone and raw.phone.strip():
        assert checked.customer.phone is not None
