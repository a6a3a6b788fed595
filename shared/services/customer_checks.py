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
from shared.services.email_domains import DomainKind, SpamDomains

__all__ = ["CheckedCustomer", "DomainKind", "SpamDomains", "check_customer"]

_PLUS_SIGNS = ("+", "\uff0b")  # libphonenumber accepts the full-width plus too


@dataclass(frozen=True, slots=True)
class CheckedCustomer:
    customer: Customer
    email_validity: EmailValidity
    phone_validity: PhoneValidity
    email_domain_kind: DomainKind


@dataclass(frozen=True, slots=True)
class _EmailCheck:
    address: str | None
    validity: EmailValidity
    domain_kind: DomainKind


def check_customer(raw: RawCustomer, spam_domains: SpamDomains) -> CheckedCustomer:
    """Normalise email, phone and country and say how reachable the customer is; never raises."""
    given_country = (raw.country or "").strip() or None
    region = country_code(given_country) if given_country else None
    email = _check_email(raw.email, spam_domains)
    phone, phone_validity = _check_phone(raw.phone, region)
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
    )


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
        return _EmailCheck(address, EmailValidity.SPAM if spam else EmailValidity.INVALID, kind)
    normalised: str = result.normalized
    # IDN domains may be listed in either form, so both are looked up.
    kinds = (spam_domains.kind_of(domain) for domain in (result.domain, result.ascii_domain))
    kind = next((found for found in kinds if found is not None), DomainKind.BUSINESS)
    spam = kind is DomainKind.DISPOSABLE or any(
        spam_domains.is_spam(candidate) for candidate in (address, normalised)
    )
    return _EmailCheck(normalised, EmailValidity.SPAM if spam else EmailValidity.VALID, kind)


def _check_phone(phone: str | None, region: str | None) -> tuple[str | None, PhoneValidity]:
    text = (phone or "").strip()
    if not text:
        return None, PhoneValidity.UNKNOWN
    # A region libphonenumber has no metadata for is no hint at all: it would fail every number.
    hint = region if region in phonenumbers.SUPPORTED_REGIONS else None
    if hint is None and not text.startswith(_PLUS_SIGNS):
        return text, PhoneValidity.UNKNOWN  # a national number without a country: cannot judge
    try:
        number = phonenumbers.parse(text, hint)
    except phonenumbers.NumberParseException:
        return text, PhoneValidity.INVALID
    formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    valid = phonenumbers.is_valid_number(number)
    return formatted, PhoneValidity.VALID if valid else PhoneValidity.INVALID
