"""Routing rules: which Team member (or pool of members) a lead needing action goes to.

Rules are tried in order; a rule matches when every condition it gives holds (a condition is a
list: any of its values). The first matching rule whose target has an available member wins;
otherwise the default pool; otherwise the lead stays unassigned. A pool takes turns by a
weighted round-robin over its available members: turn n goes to `rotation(members)[n % total]`,
so every `total` consecutive turns give each member exactly its weight, whatever the interleaving
of the requests that drew them (the turn counter is the storage's business).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Protocol, Self

from pydantic import Field, StrictBool, StrictInt, StringConstraints, model_validator

from shared.domain.lead_values import (
    CallToAction,
    Customer,
    Offer,
    Qualification,
    Storefront,
    View,
)
from shared.domain.model import ApiModel
from shared.domain.team import MemberId, TeamMember

MAX_RULES = 50
MAX_POOL = 50
DEFAULT_FOLLOW_UP_HOURS = 24
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
OfferId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Pool = Annotated[list[MemberId], Field(max_length=MAX_POOL)]


class RuleMatch(ApiModel):
    """Conditions of a rule: each list is "any of"; an empty or absent list is "any"."""

    views: Annotated[list[View], Field(max_length=2)] = []
    calls_to_action: Annotated[list[CallToAction], Field(max_length=4)] = []
    sources: Annotated[list[Storefront], Field(max_length=3)] = []
    offer_ids: Annotated[list[OfferId], Field(max_length=100)] = []
    countries: Annotated[list[CountryCode], Field(max_length=250)] = []
    qualifications: Annotated[list[Qualification], Field(max_length=3)] = []


class RoutingRule(ApiModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    match: RuleMatch = RuleMatch()
    assign_to: MemberId | None = Field(default=None, description="One member, or use `pool`.")
    pool: Pool = Field(default=[], description="Members taking turns (weighted round-robin).")

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.assign_to is None) == (not self.pool):
            raise ValueError("Give either assignTo (one member) or pool (a list of members).")
        return self

    def targets(self) -> list[str]:
        return [self.assign_to] if self.assign_to else list(self.pool)


class RoutingSettings(ApiModel):
    """A partner's routing: off (every contact is told, nobody owns) unless `enabled`."""

    # JSON booleans and integers only: "true" or "5" is a 400, as the document's types say.
    enabled: StrictBool = False
    rules: Annotated[list[RoutingRule], Field(max_length=MAX_RULES)] = []
    default_pool: Pool = []
    also_notify_contacts: StrictBool = Field(
        default=False,
        description="With routing on, a new lead's email goes to its owner only, unless true.",
    )
    follow_up_hours: Annotated[StrictInt, Field(ge=0, le=720)] = Field(
        default=DEFAULT_FOLLOW_UP_HOURS,
        description="Hours after a lead needs action before an unassigned or untouched one is"
        " escalated to the partner's admins; 0 = never.",
    )

    def member_ids(self) -> set[str]:
        named = {member for rule in self.rules for member in rule.targets()}
        return named | set(self.default_pool)


class Routable(Protocol):
    """What of a lead the rules look at (a `Lead` is one)."""

    @property
    def view(self) -> View: ...
    @property
    def call_to_action(self) -> CallToAction | None: ...
    @property
    def source(self) -> Storefront | None: ...
    @property
    def offer(self) -> Offer | None: ...
    @property
    def qualification(self) -> Qualification | None: ...
    @property
    def customer(self) -> Customer: ...


def rule_matches(match: RuleMatch, lead: Routable) -> bool:
    offer_id = lead.offer.id if lead.offer else None
    wanted_and_actual: list[tuple[Sequence[object], object]] = [
        (match.views, lead.view),
        (match.calls_to_action, lead.call_to_action),
        (match.sources, lead.source),
        (match.offer_ids, offer_id),
        (match.countries, lead.customer.country),
        (match.qualifications, lead.qualification),
    ]
    return all(not wanted or actual in wanted for wanted, actual in wanted_and_actual)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a lead goes: the members taking turns (one for a single member), and why."""

    rule: str  # "rule 2 (EMEA)", "default pool"
    members: tuple[TeamMember, ...]  # available ones only, in rotation order, never empty

    @property
    def pool_key(self) -> str:
        """The rotation this target turns: one per set of members, whichever rule names it."""
        ids = "\x1f".join(sorted(member.id for member in self.members))
        return hashlib.sha256(ids.encode("utf-8")).hexdigest()[:24]

    def member_for(self, turn: int) -> TeamMember:
        order = rotation(self.members)
        return order[turn % len(order)]


def choose_target(
    settings: RoutingSettings, lead: Routable, team: Mapping[str, TeamMember]
) -> Target | None:
    """The first matching rule with an available member, else the default pool, else None."""
    if not settings.enabled:
        return None
    for number, rule in enumerate(settings.rules, start=1):
        if rule_matches(rule.match, lead):
            found = _available(rule.targets(), team)
            if found:
                label = f"rule {number}" + (f" ({rule.name})" if rule.name else "")
                return Target(label, found)
            break  # the matching rule has nobody left: the default pool takes it
    found = _available(settings.default_pool, team)
    return Target("default pool", found) if found else None


def matching_rule(settings: RoutingSettings, lead: Routable) -> int | None:
    """The 1-based number of the first rule whose conditions the lead meets (for a preview)."""
    for number, rule in enumerate(settings.rules, start=1):
        if rule_matches(rule.match, lead):
            return number
    return None


def _available(ids: Sequence[str], team: Mapping[str, TeamMember]) -> tuple[TeamMember, ...]:
    members = {team[i].id: team[i] for i in ids if i in team and team[i].available}
    return tuple(sorted(members.values(), key=lambda member: member.id))


def rotation(members: Sequence[TeamMember]) -> list[TeamMember]:
    """One cycle of the smooth weighted round-robin (as nginx's): each member appears `weight`
    times, spread out rather than in runs, so a short burst is fair too."""
    current = dict.fromkeys(range(len(members)), 0)
    total = sum(member.weight for member in members)
    order = []
    for _ in range(total):
        for index, member in enumerate(members):
            current[index] += member.weight
        chosen = max(current, key=lambda index: (current[index], -index))
        current[chosen] -= total
        order.append(members[chosen])
    return order
