"""What partners do to a lead: accept, decline, edit, add to the team, win, lose, favourite.

Every action reads the lead, applies one lifecycle step and writes it back under the ETag it
read. With `If-Match` a stale ETag is a 412; without it a lost race is re-run on the fresh lead,
so of two conflicting actions one succeeds and the other meets the new state (409). Compatible
actions racing (twenty edits at once) all succeed, one after the other: a 409 only ever says
the lead's state does not allow the action, never that others were quicker.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from shared.domain.errors import (
    ConcurrentModification,
    DependencyUnavailable,
    StalePrecondition,
)
from shared.domain.lead import Actor, Lead, LeadEvent, LeadEventKind
from shared.domain.lead_action import LeadAction, required_roles
from shared.domain.lead_parts import Deal
from shared.domain.lead_policy import LeadPolicy
from shared.domain.notification import Notification, NotificationKind
from shared.domain.principal import PARTNER_READERS, Principal
from shared.services.lead_commands import (
    AcceptLead,
    DeclineLead,
    EditDeal,
    LoseLead,
    PersonInput,
    WinLead,
    refuse_past_close_date,
)
from shared.services.lead_events import LeadEvents
from shared.services.lead_view import LeadView, http_etag, present
from shared.services.outbox_relay import publish_committed
from shared.services.ports import Clock, FavoriteStore, LeadRepository, NotificationPublisher

# Every lost race means another action was written, so N racers need at most N rounds; the
# bound only stops a pathological storm. Random backoff keeps the racers from re-colliding.
_ATTEMPTS = 64
_MAX_BACKOFF_SECONDS = 0.2
Step = Callable[[Lead, Actor], None]


class LeadActions:
    def __init__(
        self,
        *,
        leads: LeadRepository,
        favorites: FavoriteStore,
        publisher: NotificationPublisher,
        clock: Clock,
        policy: LeadPolicy,
        events: LeadEvents,
    ) -> None:
        self._leads = leads
        self._favorites = favorites
        self._publisher = publisher
        self._clock = clock
        self._policy = policy
        self._events = events

    def get(self, principal: Principal, lead_id: str) -> LeadView:
        partner_id = principal.require_partner(PARTNER_READERS)
        lead = self._leads.get(partner_id, lead_id)
        return self._present(principal, lead)

    def accept(
        self, p: Principal, lead_id: str, command: AcceptLead, if_match: str | None
    ) -> LeadView:
        refuse_past_close_date(command.estimated_close_date, self._clock.now())
        team = [person.to_person() for person in command.team_members]
        contacts = [person.to_person() for person in command.contacts]
        return self._act(
            p,
            lead_id,
            if_match,
            LeadAction.ACCEPT,
            lambda lead, actor: lead.accept(
                command.deal(), team=team, contacts=contacts, actor=actor, now=self._clock.now()
            ),
        )

    def decline(
        self, p: Principal, lead_id: str, command: DeclineLead, if_match: str | None
    ) -> LeadView:
        return self._act(
            p,
            lead_id,
            if_match,
            LeadAction.DECLINE,
            lambda lead, actor: lead.decline(command.closure(), actor=actor, now=self._clock.now()),
        )

    def edit(self, p: Principal, lead_id: str, patch: EditDeal, if_match: str | None) -> LeadView:
        if "estimated_close_date" in patch.model_fields_set:  # a date left as it was may pass
            refuse_past_close_date(patch.estimated_close_date, self._clock.now())

        def step(lead: Lead, actor: Actor) -> None:
            team = None
            if patch.team_members is not None:
                team = [person.to_person() for person in patch.team_members]
            deal = patch.apply_to(lead.deal or Deal())
            lead.edit(deal, team=team, actor=actor, now=self._clock.now())

        return self._act(p, lead_id, if_match, LeadAction.EDIT, step)

    def add_team_member(
        self, p: Principal, lead_id: str, member: PersonInput, if_match: str | None
    ) -> LeadView:
        return self._act(
            p,
            lead_id,
            if_match,
            LeadAction.ADD_TEAM_MEMBER,
            lambda lead, actor: lead.add_team_member(
                member.to_person(), actor=actor, now=self._clock.now()
            ),
        )

    def win(self, p: Principal, lead_id: str, command: WinLead, if_match: str | None) -> LeadView:
        return self._act(
            p,
            lead_id,
            if_match,
            LeadAction.MARK_WON,
            lambda lead, actor: lead.win(
                value=command.value,
                currency=command.currency,
                notes=command.notes,
                actor=actor,
                now=self._clock.now(),
            ),
        )

    def lose(self, p: Principal, lead_id: str, command: LoseLead, if_match: str | None) -> LeadView:
        return self._act(
            p,
            lead_id,
            if_match,
            LeadAction.MARK_LOST,
            lambda lead, actor: lead.lose(
                command.closure(),
                value=command.value,
                currency=command.currency,
                actor=actor,
                now=self._clock.now(),
            ),
        )

    def set_favorite(self, principal: Principal, lead_id: str, *, favorite: bool) -> LeadView:
        action = LeadAction.FAVORITE if favorite else LeadAction.UNFAVORITE
        partner_id = principal.require_partner(required_roles(action))
        lead = self._leads.get(partner_id, lead_id)  # 404 for another partner's lead
        if favorite:
            self._favorites.add(partner_id, principal.user_id, lead)
        else:
            self._favorites.remove(partner_id, principal.user_id, lead)
        return present(
            lead, now=self._clock.now(), policy=self._policy, favorite=favorite, viewer=principal
        )

    def act(
        self,
        principal: Principal,
        lead_id: str,
        if_match: str | None,
        action: LeadAction,
        step: Step,
    ) -> LeadView:
        """Run one step on a lead as every action does (for use cases kept in their own module)."""
        return self._act(principal, lead_id, if_match, action, step)

    def _act(
        self,
        principal: Principal,
        lead_id: str,
        if_match: str | None,
        action: LeadAction,
        step: Step,
    ) -> LeadView:
        # The role half of the rule `allowedActions` shows; the step checks the lifecycle half.
        partner_id = principal.require_partner(required_roles(action))
        actor = Actor.of(principal)
        for attempt in range(_ATTEMPTS):
            if attempt:
                _back_off(attempt)
            lead = self._leads.get(partner_id, lead_id)
            if if_match is not None and if_match.strip() not in (http_etag(lead), "*"):
                raise StalePrecondition("The lead changed since you read it: reload and retry.")
            step(lead, actor)
            changes = lead.pull_events()
            owed = self._owed(lead, changes)
            try:
                stored = self._leads.save(lead, outbox=owed, events=self._events.of(lead, changes))
            except ConcurrentModification:
                if if_match is not None:
                    raise StalePrecondition(
                        "The lead changed meanwhile: reload and retry."
                    ) from None
                continue  # re-run on the fresh lead: the step may now meet another state
            publish_committed(self._publisher, owed)
            return self._present(principal, stored)
        # Not a 409: the action may well be allowed; the caller should simply try again.
        raise DependencyUnavailable("The lead is being changed by many requests; retry shortly.")

    def _owed(self, lead: Lead, changes: list[LeadEvent]) -> list[Notification]:
        """Declining tells the customer to choose another partner (not for test leads);
        assigning tells the new owner, unless they took the lead themselves."""
        kinds = {change.kind for change in changes}
        owed = []
        if LeadEventKind.DECLINED in kinds and not lead.is_test and lead.customer.email:
            owed.append(NotificationKind.LEAD_DECLINED)
        if LeadEventKind.ASSIGNED in kinds and lead.owner and lead.owner_touched_at is None:
            owed.append(NotificationKind.LEAD_ASSIGNED)
        return [
            Notification.about_lead(
                kind, partner_id=lead.partner_id, lead_id=lead.id, now=self._clock.now()
            )
            for kind in owed
        ]

    def _present(self, principal: Principal, lead: Lead) -> LeadView:
        favorite = self._favorites.is_favorite(lead.partner_id, principal.user_id, lead.id)
        return present(
            lead, now=self._clock.now(), policy=self._policy, favorite=favorite, viewer=principal
        )


def _back_off(attempt: int) -> None:
    """Full-jitter exponential backoff between re-runs after a lost race."""
    ceiling = min(_MAX_BACKOFF_SECONDS, 0.005 * 2**attempt)
    time.sleep(random.uniform(0, ceiling))  # noqa: S311  # spreading retries, not crypto
