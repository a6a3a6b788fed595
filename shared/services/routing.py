"""The partner's routing (`GET`/`PUT /api/profile/routing`, the preview) and the router that
applies it when a lead needs action (lead_intake.py).

A lead drawn from a pool takes the pool's next turn and advances the pool's counter in the
lead's own batch, under the counter's ETag: two leads can never take one turn, so 100 leads
arriving at once into weights 1/1/2 are split 25/25/50 exactly (a lost race re-reads the
counter and tries again, like any other lost race at intake).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from shared.domain.errors import ConcurrentModification, FieldError, InvalidInput, StalePrecondition
from shared.domain.lead import Lead
from shared.domain.lead_values import CallToAction, Customer, Offer, Qualification, Storefront, View
from shared.domain.model import ApiModel
from shared.domain.principal import Principal, Role
from shared.domain.routing import RoutingSettings, choose_target, matching_rule
from shared.domain.team import TeamMember
from shared.services.partner_summary import PartnerSummary
from shared.services.ports import Clock, PoolTurn
from shared.services.team import TeamRoster
from shared.services.team_ports import PoolRotation, RoutingStore

ROUTING_ADMINS = frozenset({Role.REFERRALS_ADMIN, Role.BUSINESS_PROFILE_ADMIN})
_SETTINGS_SECONDS = 10.0  # how long a worker reuses a partner's routing at intake
_TEAM_SECONDS = 5.0  # and its Team (availability, weights)


class RoutingAnswer(ApiModel):
    routing: RoutingSettings
    etag: str


class LeadSample(ApiModel):
    """What of a lead the rules look at, for the preview."""

    view: View = View.MARKETPLACE
    call_to_action: CallToAction | None = None
    source: Storefront | None = None
    offer_id: str | None = None
    country: str | None = None
    qualification: Qualification | None = None

    @property
    def offer(self) -> Offer | None:
        return Offer(id=self.offer_id) if self.offer_id else None

    @property
    def customer(self) -> Customer:
        return Customer(country=self.country.upper() if self.country else None)


class RoutingPreview(ApiModel):
    routing: RoutingSettings
    lead: LeadSample


class PreviewAnswer(ApiModel):
    matched_rule: int | None  # 1-based; None when no rule's conditions hold
    goes_to: str  # "rule 2 (EMEA)", "default pool" or "nobody"
    candidates: list[str]  # the names of the available members taking turns


class RoutingSettingsService:
    def __init__(
        self, *, store: RoutingStore, team: TeamRoster, summary: PartnerSummary | None = None
    ) -> None:
        self._store = store
        self._team = team
        self._summary = summary  # the operators' view of the partner
        self._cache: dict[str, tuple[float, RoutingSettings]] = {}
        self._lock = threading.Lock()

    def read(self, principal: Principal) -> RoutingAnswer:
        partner_id = principal.require_partner(ROUTING_ADMINS)
        settings, etag = self._store.get(partner_id)
        return RoutingAnswer(routing=settings, etag=_http_etag(etag))

    def replace(
        self, principal: Principal, settings: RoutingSettings, if_match: str | None
    ) -> RoutingAnswer:
        partner_id = principal.require_partner(ROUTING_ADMINS)
        _refuse_unknown(settings, self._team.members(partner_id))
        _, etag = self._store.get(partner_id)
        if if_match is not None and if_match.strip() not in (_http_etag(etag), "*"):
            raise StalePrecondition("The routing changed since you read it: reload and retry.")
        try:
            new_etag = self._store.put(partner_id, settings, etag)
        except ConcurrentModification:
            raise StalePrecondition("The routing changed meanwhile: reload and retry.") from None
        with self._lock:
            self._cache.pop(partner_id, None)
        if self._summary is not None:
            self._summary.set_routing(partner_id, on=settings.enabled)
        return RoutingAnswer(routing=settings, etag=_http_etag(new_etag))

    def preview(self, principal: Principal, preview: RoutingPreview) -> PreviewAnswer:
        partner_id = principal.require_partner(ROUTING_ADMINS)
        team = self._team.members(partner_id)
        _refuse_unknown(preview.routing, team)
        draft = preview.routing.model_copy(update={"enabled": True})
        target = choose_target(draft, preview.lead, team)
        return PreviewAnswer(
            matched_rule=matching_rule(draft, preview.lead),
            goes_to=target.rule if target else "nobody",
            candidates=[member.name for member in target.members] if target else [],
        )

    def settings_for(self, partner_id: str) -> RoutingSettings:
        """The partner's routing as intake applies it: reused for a few seconds per worker."""
        now = time.monotonic()
        cached = self._cache.get(partner_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        settings, _ = self._store.get(partner_id)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[partner_id] = (now + _SETTINGS_SECONDS, settings)
        return settings


class LeadRouter:
    """Sets a lead's follow-up deadline and, with routing on, its owner, as it needs action."""

    def __init__(
        self,
        *,
        settings: RoutingSettingsService,
        team: TeamRoster,
        rotation: PoolRotation,
        clock: Clock,
    ) -> None:
        self._settings = settings
        self._team = team
        self._rotation = rotation
        self._clock = clock
        self._team_cache: dict[str, tuple[float, dict[str, TeamMember]]] = {}
        self._pool_locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()

    @contextmanager
    def routing(self, lead: Lead) -> Iterator[PoolTurn | None]:
        """Route `lead` in memory and yield the pool turn it drew, to be written in the lead's
        batch inside the `with`. The requests of one worker drawing from one pool take turns
        (a lock held from reading the counter to the batch), so they never race each other;
        other instances' requests race on the counter's ETag, and the loser re-reads."""
        settings = self._settings.settings_for(lead.partner_id)
        since = lead.action_required_since
        if settings.follow_up_hours and since is not None and lead.follow_up_by is None:
            lead.follow_up_by = since + timedelta(hours=settings.follow_up_hours)
        target = None
        if settings.enabled and lead.owner is None:
            target = choose_target(settings, lead, self._members(lead.partner_id))
        if target is None:  # routing off, or nobody available: unassigned, every contact told
            yield None
            return
        if len(target.members) == 1:  # one member takes every turn: no counter to keep
            lead.route_to(target.members[0].as_owner(), rule=target.rule, now=self._clock.now())
            yield None
            return
        with self._pool_lock(lead.partner_id, target.pool_key):
            turn = self._rotation.next_turn(lead.partner_id, target.pool_key)
            member = target.member_for(turn.turn)
            lead.route_to(member.as_owner(), rule=target.rule, now=self._clock.now())
            yield turn

    def _members(self, partner_id: str) -> dict[str, TeamMember]:
        now = time.monotonic()
        cached = self._team_cache.get(partner_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        members = self._team.members(partner_id)
        with self._lock:
            if len(self._team_cache) > 10_000:
                self._team_cache.clear()
            self._team_cache[partner_id] = (now + _TEAM_SECONDS, members)
        return members

    def _pool_lock(self, partner_id: str, pool_key: str) -> threading.Lock:
        with self._lock:
            if len(self._pool_locks) > 10_000:
                self._pool_locks.clear()
            return self._pool_locks.setdefault((partner_id, pool_key), threading.Lock())


def _refuse_unknown(settings: RoutingSettings, team: dict[str, TeamMember]) -> None:
    errors = []
    for number, rule in enumerate(settings.rules):
        if rule.assign_to is not None and rule.assign_to not in team:
            errors.append(FieldError(f"rules.{number}.assignTo", "No Team member with this id."))
        for index, member in enumerate(rule.pool):
            if member not in team:
                errors.append(FieldError(f"rules.{number}.pool.{index}", "No such Team member."))
    for index, member in enumerate(settings.default_pool):
        if member not in team:
            errors.append(FieldError(f"defaultPool.{index}", "No Team member with this id."))
    if errors:
        raise InvalidInput("The routing names people who are not in the Team.", errors)


def _http_etag(etag: str | None) -> str:
    return '"' + hashlib.sha256((etag or "none").encode("utf-8")).hexdigest()[:32] + '"'
