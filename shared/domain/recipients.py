"""Who gets a partner's emails: the business profile's contacts, each under their own preferences.

A user's own notification preference takes precedence over the profile's contact settings
(docs/behaviour.md, "Notifications"). A contact is matched to a user by the address the user
signs in with (the token's `email` claim, stored with the preference); that user may switch
email off or name another address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from shared.domain.lead_values import ValueObject
from shared.domain.partner import Contact


class EmailPreferences(ValueObject):
    user_id: str
    sign_in_email: str | None = None  # from the token: what links the user to a contact
    email_enabled: bool = True
    email: str | None = None  # another address to use instead of the contact's
    updated_at: datetime | None = None


def _address_key(address: str) -> str:
    return address.strip().casefold()


def preferences_by_address(
    preferences: Iterable[EmailPreferences],
) -> dict[str, EmailPreferences]:
    """Each sign-in address's preference; the latest wins if two users share an address."""
    found: dict[str, EmailPreferences] = {}
    ordered = sorted(
        preferences, key=lambda p: p.updated_at.timestamp() if p.updated_at else float("-inf")
    )
    for preference in ordered:
        if preference.sign_in_email:
            found[_address_key(preference.sign_in_email)] = preference
    return found


def recipients(contacts: Sequence[Contact], preferences: Iterable[EmailPreferences]) -> list[str]:
    """The addresses to email, in contact order, each once."""
    by_address = preferences_by_address(preferences)
    chosen: list[str] = []
    seen: set[str] = set()
    for contact in contacts:
        address: str | None = str(contact.email)
        preference = by_address.get(_address_key(str(contact.email)))
        if preference is not None:
            address = (preference.email or address) if preference.email_enabled else None
        if address and _address_key(address) not in seen:
            seen.add(_address_key(address))
            chosen.append(address)
    return chosen


def is_contact(contacts: Sequence[Contact], sign_in_email: str | None) -> bool:
    if not sign_in_email:
        return False
    return any(_address_key(str(c.email)) == _address_key(sign_in_email) for c in contacts)
