"""The partner's Team: the people leads can be assigned to, and a lead's owner.

Not to be confused with a lead's deal team (`Lead.team`, POST /leads/{id}/team), the people a
partner lists on an accepted deal. Team members are the partner's users who have used the app
and its business-profile contacts; routing weighs and skips them (`routing.py`).
"""

from __future__ import annotations

import hashlib
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from shared.domain.lead_values import ValueObject

MIN_WEIGHT, MAX_WEIGHT = 1, 10
# A member id is a URL segment and part of RowKeys: a kind letter and 20 hex digits.
MEMBER_ID_PATTERN = r"^[uc]-[0-9a-f]{20}$"
MemberId = Annotated[str, Field(pattern=MEMBER_ID_PATTERN)]
Weight = Annotated[int, Field(ge=MIN_WEIGHT, le=MAX_WEIGHT)]


class MemberKind(StrEnum):
    USER = "User"  # signed in to the app at least once
    CONTACT = "Contact"  # a business-profile contact


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def user_member_id(user_id: str) -> str:
    """A user's member id: derived from the token's user id, which may hold any character."""
    return f"u-{_digest(user_id)}"


def contact_member_id(email: str) -> str:
    return f"c-{_digest(email.strip().casefold())}"


class Owner(ValueObject):
    """Who in the partner's Team owns a lead."""

    id: str
    name: str
    email: str | None = None


class TeamMember(ValueObject):
    id: str
    kind: MemberKind
    name: str
    email: str | None = None
    available: bool = True  # away: skipped by routing, still assignable by hand
    weight: Weight = 1  # a pool's round-robin gives each member turns in this proportion
    user_id: str | None = None  # users only: the token's id (never shown)
    last_seen_on: date | None = None  # users only: the last day a request of theirs was served
    is_admin: bool = False  # users only: a Referrals.Admin when last seen (told of escalations)

    def as_owner(self) -> Owner:
        return Owner(id=self.id, name=self.name, email=self.email)
