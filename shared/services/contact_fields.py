"""Field types for what partners type in: email addresses, phone numbers, currencies.

Validated offline (no DNS): email-validator for syntax, phonenumbers for numbers in international
form, pycountry for ISO 4217 codes.
"""

from __future__ import annotations

from typing import Annotated

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, StringConstraints


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError("Enter an email address such as name@example.com.") from None


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError(
            "Enter the phone number in international form, such as +44 20 7946 0958."
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(
            "This is not a possible phone number: check the country code and the number of digits."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _currency(code: str) -> str:
    code = code.upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError("Enter a three-letter currency code, such as EUR or USD.")
    return code


EmailAddress = Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)]
PhoneNumber = Annotated[str, StringConstraints(max_length=64), AfterValidator(_phone)]
Currency = Annotated[str, AfterValidator(_currency)]
