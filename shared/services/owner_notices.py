"""Who is told about a lead's owner: the owner of a routed new lead (instead of every profile
contact, unless the partner chose "also notify contacts"), the owner a lead is assigned to, and
the admins and contacts when a lead is not followed up in time. Each person's own email
preference applies, as for every email (recipients.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from pydantic import ValidationError

from shared.domain.lead import Lead
from shared.domain.partner import Contact, Partner
from shared.domain.recipients import EmailPreferences, recipients
from shared.domain.routing import RoutingSettings
from shared.domain.team import TeamMember


class TeamSettings(Protocol):
    """The partner's routing and stored Team members (TableTeamStore is one)."""

    def get(self, partner_id: str) -> tuple[RoutingSettings, str | None]: ...

    def members(self, partner_id: str) -> list[TeamMember]: ...


def _contacts(people: Iterable[tuple[str, str | None]]) -> list[Contact]:
    """People as contacts to email. A token's email claim is not validated as the profile's
    contacts are: an address that could not be delivered to (a reserved domain, a typo) is
    left out rather than failing the whole notification."""
    found = []
    for name, email in people:
        if email:
            try:
                found.append(Contact(name=name or email, email=email))
            except ValidationError:
                continue
    return found


def owner_address(lead: Lead, preferences: Iterable[EmailPreferences]) -> list[str]:
    """The owner's address under their preference: none if they switched email off."""
    owner = lead.owner
    if owner is None:
        return []
    return recipients(_contacts([(owner.name, owner.email)]), preferences)


def new_lead_recipients(
    partner: Partner,
    lead: Lead,
    routing: RoutingSettings,
    preferences: Sequence[EmailPreferences],
) -> tuple[list[str], str]:
    """Who gets a new lead's email, and whose day it counts against ("" = the contacts')."""
    contacts = recipients(partner.contacts, preferences)
    if not routing.enabled or lead.owner is None or not lead.owner.email:
        return contacts, ""
    owner = owner_address(lead, preferences)
    if routing.also_notify_contacts:
        return _once([*owner, *contacts]), ""
    return owner, lead.owner.id


def digest_recipients(
    partner: Partner,
    leads: Sequence[Lead],
    routing: RoutingSettings,
    preferences: Sequence[EmailPreferences],
) -> list[str]:
    """A day's digest: the owners of its leads, and the contacts unless every lead is routed
    to an owner and the partner did not ask for the contacts too."""
    contacts = recipients(partner.contacts, preferences)
    if not routing.enabled:
        return contacts
    owners = [address for lead in leads for address in owner_address(lead, preferences)]
    everyone_owned = all(lead.owner is not None and lead.owner.email for lead in leads)
    told = owners if everyone_owned and not routing.also_notify_contacts else owners + contacts
    return _once(told)


def escalation_recipients(
    partner: Partner, team: Iterable[TeamMember], preferences: Sequence[EmailPreferences]
) -> list[str]:
    """The partner's admins (users who signed in as Referrals.Admin) and its profile contacts."""
    admins = _contacts((member.name, member.email) for member in team if member.is_admin)
    return recipients([*admins, *partner.contacts], preferences)


def _once(addresses: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for address in addresses:
        if address.casefold() not in seen:
            seen.add(address.casefold())
            kept.append(address)
    return kept
