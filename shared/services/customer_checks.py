"""Checking a customer's contact details for reachability.

See docs/behaviour.md, "What the workspace shows of a lead".

Validity is about reachability only, and it is judged offline: email syntax via email-validator
(never a DNS or SMTP probe: intake must answer fast and must not leak that a lead arrived), phone
numbers via libphonenumber's metadata, with the customer's country as the region hint. Whatever
cannot be normalised is kept as given, so a partner never loses what the customer typed.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from shared.domain.lead_values import Customer, EmailValidity, PhoneValidity
from shared.domain.marketplace_payload import RawCustomer
from shared.services.countries import country_code
from shared.services.email_domains import DomainKind, DomainProblem, SpamDomains, domain_problem

__all__ = ["CheckedCustomer", "DomainKind", "DomainProblem", "SpamDomains", "check_customer"]

_PLUS_SIGNS = ("+", "\uff0b")  # libphonenumber accepts the full-width plus too
# The shortest full international numbers (country code included) have 7 digits (+683 Niue):
# fewer digits, whatever the country, cannot be a phone number.
_MIN_PHONE_DIGITS = 7
# What people type into a name field to get past a form.
_PLACEHOLDER_WORDS = frozenset(
    {"test", "testing", "tester", "asdf", "asd", "qwerty", "foo", "bar", "foobar", "xxx",
     "abc", "dummy", "sample", "fake", "none", "null", "n/a", "na", "-", ".", "x"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CheckedCustomer:
    customer: Customer
    email_validity: EmailValidity
    phone_validity: PhoneValidity
    email_domain_kind: DomainKind
    email_problem: DomainProblem | None = None
    placeholder_name: bool = False  # "asdf", "Test": the customer did not give a name
    phone_possible: bool = True  # False: too short or long to be any phone number ("123")


@dataclass(frozen=True, slots=True)
class _EmailCheck:
    address: str | None
    validity: EmailValidity
    domain_kind: DomainKind
    problem: DomainProblem | None = None


def check_customer(raw: RawCustomer, spam_domains: SpamDomains) -> CheckedCustomer:
    """Normalise email, phone and country and say how reachable the customer is; never raises."""
    given_country = (raw.country or "").strip() or None
    region = country_code(given_country) if given_country else None
    email = _check_email(raw.email, spam_domains)
    phone, phone_validity, phone_possible = _check_phone(raw.phone, region)
    customer = Customer(
        first_name=raw.first_name,
        last_name=raw.last_name,
        email=email.address,
        phone=phone,
        country=region or given_country,
        company=raw.company,
        title=raw.title,
    )
    return CheckedCustomer(
        customer=customer,
        email_validity=email.validity,
        phone_validity=phone_validity,
        email_domain_kind=email.domain_kind,
        email_problem=email.problem,
        placeholder_name=_placeholder_name(raw),
        phone_possible=phone_possible,
    )


def _placeholder_name(raw: RawCustomer) -> bool:
    """A name or company that is a placeholder word, or one character repeated ("aaaa")."""
    for text in (raw.first_name, raw.last_name, raw.company):
        word = (text or "").strip().casefold()
        if word in _PLACEHOLDER_WORDS or (len(word) > 2 and len(set(word)) == 1):
            return True
    return False


def _check_email(email: str | None, spam_domains: SpamDomains) -> _EmailCheck:
    address = (email or "").strip().lower()
    if not address:
        return _EmailCheck(None, EmailValidity.UNKNOWN, DomainKind.UNKNOWN)
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        # A throwaway domain is worth saying even when the address is also malformed.
        domain = address.rpartition("@")[2] if "@" in address else ""
        kind = (spam_domains.kind_of(domain) if domain else None) or DomainKind.UNKNOWN
        spam = spam_domains.is_spam(address) if domain else False
        problem = domain_problem(domain) if domain else None
        validity = EmailValidity.SPAM if spam else EmailValidity.INVALID
        return _EmailCheck(address, validity, kind, problem)
    normalised: str = result.normalized
    # IDN domains may be listed in either form, so both are looked up.
    kinds = (spam_domains.kind_of(domain) for domain in (result.domain, result.ascii_domain))
    kind = next((found for found in kinds if found is not None), DomainKind.BUSINESS)
    spam = kind is DomainKind.DISPOSABLE or any(
        spam_domains.is_spam(candidate) for candidate in (address, normalised)
    )
    # Scripts are judged on the Unicode form: the ASCII (punycode) form hides the look-alike.
    problem = domain_problem(result.domain)
    if spam or problem is DomainProblem.MIXED_SCRIPTS:  # a look-alike domain: a phishing risk
        return _EmailCheck(normalised, EmailValidity.SPAM, kind, problem)
    if problem is not None:
        # Validity stays email-validator's verdict on the address (staff referrals are refused
        # only for that); the problem makes the quality Low with its own reason.
        return _EmailCheck(normalised, EmailValidity.VALID, DomainKind.UNKNOWN, problem)
    return _EmailCheck(normalised, EmailValidity.VALID, kind)


def _check_phone(phone: str | None, region: str | None) -> tuple[str | None, PhoneValidity, bool]:
    """(the number to show, its validity, whether it could be a phone number at all).

    Only a valid number is rewritten (E.164, with `;ext=` when it has an extension); anything
    else is kept exactly as typed: "123" must not become "+1123", which reads like a number.
    """
    text = (phone or "").strip()
    if not text:
        return None, PhoneValidity.UNKNOWN, True
    if sum(char.isdigit() for char in text) < _MIN_PHONE_DIGITS:
        return text, PhoneValidity.INVALID, False
    # A region libphonenumber has no metadata for is no hint at all: it would fail every number.
    hint = region if region in phonenumbers.SUPPORTED_REGIONS else None
    if hint is None and not text.startswith(_PLUS_SIGNS):
        return text, PhoneValidity.UNKNOWN, True  # a national number without a country
    return _judge_phone(text, hint)


def _judge_phone(text: str, hint: str | None) -> tuple[str, PhoneValidity, bool]:
    try:
        number = phonenumbers.parse(text, hint)
    except phonenumbers.NumberParseException:
        return text, PhoneValidity.INVALID, False
    if not phonenumbers.is_possible_number(number):
        return text, PhoneValidity.INVALID, False
    if not phonenumbers.is_valid_number(number):
        return text, PhoneValidity.INVALID, True
    formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:  # RFC 3966's form, which phonenumbers parses back
        formatted += f";ext={number.extension}"
    return formatted, PhoneValidity.VALID, True
