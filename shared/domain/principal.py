"""Who is calling, as proven by a verified token, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared.domain.errors import Forbidden


class Role(StrEnum):
    REFERRALS_ADMIN = "Referrals.Admin"
    REFERRALS_USER = "Referrals.User"
    BUSINESS_PROFILE_ADMIN = "BusinessProfile.Admin"
    VENDOR_REFERRER = "Vendor.Referrer"
    LEADS_OPERATOR = "Leads.Operator"


PARTNER_READERS = frozenset(
    {Role.REFERRALS_ADMIN, Role.REFERRALS_USER, Role.BUSINESS_PROFILE_ADMIN}
)
PARTNER_ACTORS = frozenset({Role.REFERRALS_ADMIN, Role.BUSINESS_PROFILE_ADMIN})
PROFILE_ADMINS = frozenset({Role.BUSINESS_PROFILE_ADMIN})
REFERRERS = frozenset({Role.VENDOR_REFERRER})
OPERATORS = frozenset({Role.LEADS_OPERATOR})


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified caller. `partner_id` comes from the token only, never from the URL or body."""

    user_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    partner_id: str | None = None
    name: str | None = None
    email: str | None = None

    def role_refusal(self, allowed: frozenset[Role]) -> str | None:
        """Why the caller may not do what needs one of `allowed`, or None when they may."""
        if self.roles.isdisjoint(allowed):
            wanted = ", ".join(sorted(allowed))
            return f"This action needs one of the roles: {wanted}."
        return None

    def partner_refusal(self, allowed: frozenset[Role] = PARTNER_READERS) -> str | None:
        """Why the caller may not act for a partner with one of `allowed`, or None."""
        refusal = self.role_refusal(allowed)
        if refusal is None and not self.partner_id:
            refusal = "The token carries no partner_id claim."
        return refusal

    def require_any(self, allowed: frozenset[Role]) -> None:
        refusal = self.role_refusal(allowed)
        if refusal is not None:
            raise Forbidden(refusal)

    def require_partner(self, allowed: frozenset[Role] = PARTNER_READERS) -> str:
        """Check a partner role and return the partner the token speaks for."""
        refusal = self.partner_refusal(allowed)
        if refusal is not None or self.partner_id is None:
            raise Forbidden(refusal or "The token carries no partner_id claim.")
        return self.partner_id

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.user_id
