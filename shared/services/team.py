"""The partner's Team (`GET /api/team`, `PUT /api/team/{memberId}`): the users who have used the
app and the business-profile contacts, with their availability and routing weight.

Not the deal team of a lead (`POST /leads/{id}/team`): these are the people leads are assigned
to. A user is recorded when a request of theirs is served: at most one write a user a day,
whatever the number of instances (the day seen is written under the row's ETag), and most
requests cost nothing, since a worker remembers whom it has recorded today.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, model_validator

from shared.domain.errors import ConcurrentModification, DependencyUnavailable, NotFound
from shared.domain.model import ApiModel
from shared.domain.principal import PARTNER_READERS, Principal, Role
from shared.domain.team import (
    MAX_WEIGHT,
    MIN_WEIGHT,
    MemberKind,
    TeamMember,
    contact_member_id,
    user_member_id,
)
from shared.services.partners import PartnerService
from shared.services.ports import Clock
from shared.services.team_ports import TeamStore

logger = logging.getLogger(__name__)
TEAM_ADMINS = frozenset({Role.REFERRALS_ADMIN})
_REMEMBERED = 10_000  # users a worker remembers as recorded today, before it starts afresh


class TeamMemberView(ApiModel):
    id: str
    kind: MemberKind
    name: str
    email: str | None
    available: bool
    weight: int
    last_seen_on: date | None
    is_me: bool


class TeamPage(ApiModel):
    items: list[TeamMemberView]
    editable: bool  # whether the caller may set availability and weights (PUT /team/{id})


class UpdateTeamMember(ApiModel):
    available: StrictBool | None = None  # a JSON true or false
    weight: Annotated[StrictInt, Field(ge=MIN_WEIGHT, le=MAX_WEIGHT)] | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateTeamMember:
        if self.available is None and self.weight is None:
            raise ValueError("Give available, weight, or both.")
        return self


class TeamRoster:
    def __init__(self, *, store: TeamStore, partners: PartnerService, clock: Clock) -> None:
        self._store = store
        self._partners = partners
        self._clock = clock
        self._recorded: dict[tuple[str, str], tuple[date, str, str | None]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def records(principal: Principal) -> bool:
        """Whose visits make them assignable: a partner's users, not operators or staff."""
        return principal.partner_refusal(PARTNER_READERS) is None and bool(principal.partner_id)

    def record_visit(self, principal: Principal) -> None:
        """Best effort: a failure to record never fails the caller's request."""
        if not self.records(principal) or not principal.partner_id:
            return
        partner_id, today = principal.partner_id, self._clock.now().date()
        seen = (today, principal.display_name, principal.email)
        key = (partner_id, principal.user_id)
        if self._recorded.get(key) == seen:
            return
        try:
            self._record(partner_id, principal, today)
        except (ConcurrentModification, DependencyUnavailable):
            logger.warning("A team member's visit was not recorded; the next request retries.")
            return
        with self._lock:
            if len(self._recorded) >= _REMEMBERED:
                self._recorded.clear()
            self._recorded[key] = seen

    def _record(self, partner_id: str, principal: Principal, today: date) -> None:
        member_id = user_member_id(principal.user_id)
        stored = self._store.find(partner_id, member_id)
        name, email = principal.display_name, principal.email
        admin = Role.REFERRALS_ADMIN in principal.roles
        if stored is not None:
            known = stored.member
            if (known.last_seen_on, known.name, known.email, known.is_admin) == (
                today,
                name,
                email,
                admin,
            ):
                return  # recorded today, by this worker before a restart or by another one
        member = TeamMember(
            id=member_id,
            kind=MemberKind.USER,
            name=name,
            email=email,
            user_id=principal.user_id,
            last_seen_on=today,
            is_admin=admin,
        )
        self._store.record_user(partner_id, member, stored.etag if stored else None)

    def members(self, partner_id: str) -> dict[str, TeamMember]:
        """Every assignable person of the partner, by member id: users, then contacts."""
        stored = {member.id: member for member in self._store.members(partner_id)}
        team = {i: m for i, m in stored.items() if m.kind is MemberKind.USER}
        for contact in self._partners.get(partner_id).contacts:
            member_id = contact_member_id(str(contact.email))
            settings = stored.get(member_id)
            team[member_id] = TeamMember(
                id=member_id,
                kind=MemberKind.CONTACT,
                name=contact.name,
                email=str(contact.email),
                available=settings.available if settings else True,
                weight=settings.weight if settings else 1,
            )
        return team

    def list(self, principal: Principal) -> TeamPage:
        partner_id = principal.require_partner(PARTNER_READERS)
        me = user_member_id(principal.user_id)
        members = sorted(self.members(partner_id).values(), key=lambda m: m.name.casefold())
        editable = principal.role_refusal(TEAM_ADMINS) is None
        return TeamPage(items=[_view(member, me) for member in members], editable=editable)

    def update(
        self, principal: Principal, member_id: str, command: UpdateTeamMember
    ) -> TeamMemberView:
        partner_id = principal.require_partner(TEAM_ADMINS)
        member = self.members(partner_id).get(member_id)
        if member is None:
            raise NotFound("No Team member with this id.")
        changes = command.model_dump(exclude_none=True)
        updated = member.model_copy(update=changes)
        self._store.save_settings(partner_id, updated)
        return _view(updated, user_member_id(principal.user_id))


def _view(member: TeamMember, me: str) -> TeamMemberView:
    return TeamMemberView(
        id=member.id,
        kind=member.kind,
        name=member.name,
        email=member.email,
        available=member.available,
        weight=member.weight,
        last_seen_on=member.last_seen_on,
        is_me=member.id == me,
    )
