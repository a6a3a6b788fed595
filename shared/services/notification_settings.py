"""Who is emailed: the business profile's contacts (`/api/profile/contacts`) and each user's
own preferences (`/api/me/preferences`), which take precedence (docs/behaviour.md,
"Notifications"). A profile never ends up with no contact: new-lead emails would reach nobody."""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import EmailStr, Field, StrictBool

from shared.domain.errors import (
    ConcurrentModification,
    FieldError,
    InvalidInput,
    NotFound,
    StalePrecondition,
)
from shared.domain.model import ApiModel
from shared.domain.partner import Contact, Partner
from shared.domain.principal import PARTNER_READERS, PROFILE_ADMINS, Principal
from shared.domain.recipients import EmailPreferences, is_contact
from shared.services.notification_ports import PreferenceStore
from shared.services.ports import Clock, PartnerRepository

_ATTEMPTS = 5


class ProfileContacts(ApiModel):
    contacts: Annotated[list[Contact], Field(max_length=50)]


class ProfileContactsView(ProfileContacts):
    # Whether the caller may replace them: the UI asks rather than reading roles itself.
    editable: bool


NO_CONTACT = (
    "Keep at least one contact: new-lead emails go to the business profile's contacts, "
    "so with none nobody would be told about new leads."
)


class PreferencesView(ApiModel):
    email_enabled: bool
    email: str | None  # another address than the sign-in one; null: the contact's address
    sign_in_email: str | None  # what links you to a business-profile contact
    is_contact: bool  # whether the business profile lists your sign-in address


class UpdatePreferences(ApiModel):
    email_enabled: StrictBool  # a JSON true or false: not 0, 1 or "yes"
    email: EmailStr | None = None


def partner_etag(partner: Partner) -> str:
    """A strong, opaque HTTP ETag derived from the storage version."""
    return f'"{hashlib.sha256((partner.etag or "").encode("utf-8")).hexdigest()[:32]}"'


class NotificationSettings:
    def __init__(
        self, *, partners: PartnerRepository, preferences: PreferenceStore, clock: Clock
    ) -> None:
        self._partners = partners
        self._preferences = preferences
        self._clock = clock

    def contacts(self, principal: Principal) -> tuple[ProfileContactsView, str]:
        partner = self._partner(principal.require_partner(PARTNER_READERS))
        # The same rule as replace_contacts' require_partner(PROFILE_ADMINS).
        editable = principal.partner_refusal(PROFILE_ADMINS) is None
        view = ProfileContactsView(contacts=partner.contacts, editable=editable)
        return view, partner_etag(partner)

    def replace_contacts(
        self, principal: Principal, command: ProfileContacts, if_match: str | None
    ) -> tuple[ProfileContactsView, str]:
        partner_id = principal.require_partner(PROFILE_ADMINS)
        if not command.contacts:
            raise InvalidInput(NO_CONTACT, [FieldError(field="contacts", message=NO_CONTACT)])
        for _ in range(_ATTEMPTS):
            partner = self._partner(partner_id)
            if if_match is not None and if_match.strip() not in (partner_etag(partner), "*"):
                raise StalePrecondition("The contacts changed since you read them: reload.")
            try:
                stored = self._partners.replace(
                    partner.model_copy(update={"contacts": command.contacts})
                )
            except ConcurrentModification:
                if if_match is not None:
                    raise StalePrecondition("The contacts changed meanwhile: reload.") from None
                continue
            view = ProfileContactsView(contacts=stored.contacts, editable=True)
            return view, partner_etag(stored)
        raise ConcurrentModification("The business profile is changing too fast; retry.")

    def preferences(self, principal: Principal) -> PreferencesView:
        partner_id = principal.require_partner(PARTNER_READERS)
        stored = self._preferences.get(partner_id, principal.user_id)
        return self._view(partner_id, principal, stored)

    def update_preferences(
        self, principal: Principal, command: UpdatePreferences
    ) -> PreferencesView:
        partner_id = principal.require_partner(PARTNER_READERS)
        stored = self._preferences.put(
            partner_id,
            EmailPreferences(
                user_id=principal.user_id,
                # Refreshed on every save: the address the user signs in with may change.
                sign_in_email=principal.email,
                email_enabled=command.email_enabled,
                email=str(command.email) if command.email else None,
                updated_at=self._clock.now(),
            ),
        )
        return self._view(partner_id, principal, stored)

    def _view(
        self, partner_id: str, principal: Principal, stored: EmailPreferences | None
    ) -> PreferencesView:
        partner = self._partner(partner_id)
        return PreferencesView(
            email_enabled=stored.email_enabled if stored else True,
            email=stored.email if stored else None,
            sign_in_email=principal.email,
            is_contact=is_contact(partner.contacts, principal.email),
        )

    def _partner(self, partner_id: str) -> Partner:
        partner = self._partners.find(partner_id)
        if partner is None:
            raise NotFound(f"No partner '{partner_id}'.")
        return partner
