"""Land a lead: exactly once per customer and offer, with the notification it owes.

Staff referrals arrive here from their route; marketplace deliveries from the intake journal's
processing. An exact re-delivery is one point read; a new lead is that read, one batch (lead,
its index rows, its outbox rows) and one queue write.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum

from shared.domain.errors import ConcurrentModification, Conflict, NotFound
from shared.domain.lead import (
    MARKETPLACE,
    Actor,
    Lead,
    LeadDetails,
    LeadEvent,
    LeadEventKind,
    stage_key,
)
from shared.domain.lead_ids import new_lead_id
from shared.domain.lead_policy import LeadPolicy
from shared.domain.model import ApiModel
from shared.domain.notification import Notification, NotificationKind
from shared.domain.principal import REFERRERS, Principal
from shared.services.customer_checks import SpamDomains
from shared.services.lead_events import LeadEvents
from shared.services.lead_identity import dedup_key, hashed_key
from shared.services.log_fields import log_fields
from shared.services.metrics import record_lead_created
from shared.services.operator_ports import PartnerActivity
from shared.services.outbox_relay import publish_committed
from shared.services.partners import PartnerService
from shared.services.ports import (
    Clock,
    DedupRecord,
    IdempotencyRecord,
    LeadRepository,
    NotificationPublisher,
    PoolTurn,
)
from shared.services.referrals import ReferLead, referral_lead_details
from shared.services.routing import LeadRouter

# Optimistic retries when concurrent deliveries race for the same customer, or for the next turn
# of a routing pool (every lost race means another lead took a turn, so a burst of N leads
# needs at most N rounds; jittered backoff keeps the racers apart).
_ATTEMPTS = 64
_MAX_BACKOFF_SECONDS = 0.2

logger = logging.getLogger(__name__)


class IntakeResult(StrEnum):
    CREATED = "Created"
    STAGE_ADDED = "StageAdded"
    DUPLICATE = "Duplicate"


class IntakeReceipt(ApiModel):
    lead_id: str
    duplicate: bool
    result: IntakeResult


class IntakeService:
    def __init__(
        self,
        *,
        partners: PartnerService,
        leads: LeadRepository,
        publisher: NotificationPublisher,
        clock: Clock,
        policy: LeadPolicy,
        spam_domains: SpamDomains,
        new_id: Callable[[], str] = new_lead_id,
        events: LeadEvents,
        activity: PartnerActivity,
        router: LeadRouter | None = None,
    ) -> None:
        self._router = router
        self._partners = partners
        self._leads = leads
        self._publisher = publisher
        self._clock = clock
        self._policy = policy
        self._spam_domains = spam_domains
        self._new_id = new_id
        self._events = events
        self._activity = activity

    def land_marketplace(
        self, partner_id: str, details: LeadDetails, *, history: bool = False
    ) -> IntakeReceipt:
        """Land a journaled marketplace delivery (see `DeliveryProcessor`): at most one lead
        per customer and offer, whatever runs it again.

        `history` (an imported export row): a lead whose answer window had closed before it
        reached us is landed already Expired, quietly: nobody is emailed, routed or reminded
        about a customer the marketplace's own deadline gave up on weeks ago. One still in
        its window lands like any other, since it still needs an answer."""
        return self._land(partner_id, details, actor=MARKETPLACE, history=history)

    def receive_referral(
        self, sender: Principal, partner_id: str, command: ReferLead, idempotency_key: str | None
    ) -> IntakeReceipt:
        sender.require_any(REFERRERS)
        partner = self._partners.get(partner_id)
        details = referral_lead_details(
            command, sender=sender, spam_domains=self._spam_domains, now=self._clock.now()
        )
        if idempotency_key is None:
            return self._land(partner.partner_id, details, actor=Actor.of(sender))
        return self._idempotent(partner.partner_id, details, sender, command, idempotency_key)

    def _idempotent(
        self,
        partner_id: str,
        details: LeadDetails,
        sender: Principal,
        command: ReferLead,
        idempotency_key: str,
    ) -> IntakeReceipt:
        # Scoped to the sender: two staff members choosing the same key never collide.
        key = hashed_key(f"{sender.user_id}\x1f{idempotency_key}")
        fingerprint = command.fingerprint()
        first = self._leads.find_idempotency(partner_id, key)
        if first is None:
            receipt = self._land(partner_id, details, actor=Actor.of(sender))
            record = IdempotencyRecord(
                key=key,
                body_hash=fingerprint,
                lead_id=receipt.lead_id,
                receipt=receipt.model_dump_json(),
            )
            first = self._leads.remember_idempotency(partner_id, record)
        if first.body_hash != fingerprint:
            raise Conflict("This Idempotency-Key was used before with a different body.")
        return IntakeReceipt.model_validate_json(first.receipt)

    def _land(
        self, partner_id: str, details: LeadDetails, *, actor: Actor, history: bool = False
    ) -> IntakeReceipt:
        key = dedup_key(details)
        for attempt in range(_ATTEMPTS):
            if attempt:
                _back_off(attempt)
            record = self._leads.find_dedup(partner_id, key)
            if history and record is not None and self._lands_again(partner_id, record, details):
                return IntakeReceipt(
                    lead_id=record.lead_id, duplicate=True, result=IntakeResult.DUPLICATE
                )
            try:
                if record is not None and not record.archived:
                    return self._add_stage(partner_id, record, details, actor)
                return self._create(
                    partner_id, key, details, actor, replaces=record, history=history
                )
            except ConcurrentModification:
                continue  # another delivery of this customer won the race: decide again
        raise ConcurrentModification("Too many concurrent deliveries of this lead; retry.")

    def _create(
        self,
        partner_id: str,
        key: str,
        details: LeadDetails,
        actor: Actor,
        *,
        replaces: DedupRecord | None,
        history: bool = False,
    ) -> IntakeReceipt:
        lead = Lead.receive(
            lead_id=self._new_id(),
            partner_id=partner_id,
            dedup_key=key,
            details=details,
            actor=actor,
            now=details.interaction.at,
            policy=self._policy,
        )
        if history:
            now = self._clock.now()
            lead.expire(as_of=now, now=now)  # False while its window is still open
        with self._routing(lead, lead.requires_action and not lead.is_archived) as turn:
            changes = lead.pull_events()
            owed = self._owed(lead, changes)
            self._leads.add(
                lead,
                outbox=owed,
                replaces=replaces,
                events=self._events.of(lead, changes),
                turn=turn,
            )
        _report_created(lead)
        self._activity.lead_received(lead.partner_id, lead.created_at)  # operators' summary
        publish_committed(self._publisher, owed)
        return IntakeReceipt(lead_id=lead.id, duplicate=False, result=IntakeResult.CREATED)

    def _lands_again(self, partner_id: str, record: DedupRecord, details: LeadDetails) -> bool:
        """An imported row that an archived lead already holds (the same visit: stage and
        instant). Archived leads are otherwise replaced by a new one, as a customer's return
        is a new lead; a file imported twice must not make its history twice."""
        if not record.archived or stage_key(details.interaction) not in record.stages:
            return False
        try:
            lead = self._leads.get(partner_id, record.lead_id)
        except NotFound:
            return False
        wanted = (stage_key(details.interaction), details.interaction.at)
        return any((stage_key(seen), seen.at) == wanted for seen in lead.interactions)

    def _add_stage(
        self, partner_id: str, record: DedupRecord, details: LeadDetails, actor: Actor
    ) -> IntakeReceipt:
        if stage_key(details.interaction) in record.stages:
            return IntakeReceipt(
                lead_id=record.lead_id, duplicate=True, result=IntakeResult.DUPLICATE
            )
        lead = self._leads.get(partner_id, record.lead_id)
        needed_action = lead.requires_action
        added = lead.add_stage(
            details.interaction,
            requires_action=details.requires_action,
            actor=actor,
            policy=self._policy,
        )
        if not added:  # a concurrent delivery added this stage first
            return IntakeReceipt(lead_id=lead.id, duplicate=True, result=IntakeResult.DUPLICATE)
        with self._routing(lead, lead.requires_action and not needed_action) as turn:
            changes = lead.pull_events()
            owed = self._owed(lead, changes)
            self._leads.save(lead, outbox=owed, events=self._events.of(lead, changes), turn=turn)
        publish_committed(self._publisher, owed)
        return IntakeReceipt(lead_id=lead.id, duplicate=True, result=IntakeResult.STAGE_ADDED)

    def _routing(
        self, lead: Lead, needs_action_now: bool
    ) -> AbstractContextManager[PoolTurn | None]:
        """A lead that now needs action gets its follow-up deadline and, routed, its owner."""
        if self._router is None or not needs_action_now:
            return nullcontext(None)
        return self._router.routing(lead)

    def _owed(self, lead: Lead, changes: list[LeadEvent]) -> list[Notification]:
        """A lead that now needs the partner's answer is announced; test leads never are, nor
        one that landed already archived."""
        events = {change.kind for change in changes}
        if lead.is_test or lead.is_archived or LeadEventKind.BECAME_ACTION_REQUIRED not in events:
            return []
        return [
            Notification.about_lead(
                NotificationKind.NEW_LEAD,
                partner_id=lead.partner_id,
                lead_id=lead.id,
                # When it is written, not when the customer arrived: a delivery replayed or
                # imported days later must not file its feed entry (dated by this) in the past.
                now=self._clock.now(),
            )
        ]


def _report_created(lead: Lead) -> None:
    source = lead.source.value if lead.source else "Unknown"
    action = lead.call_to_action.value if lead.call_to_action else "None"
    record_lead_created(source=source, call_to_action=action, view=lead.view.value)
    fields = log_fields(
        "lead.created",
        partner_id=lead.partner_id,
        lead_id=lead.id,
        source=source,
        view=lead.view.value,
    )
    logger.info("Lead %s created for %s", lead.id, lead.partner_id, extra=fields)


def _back_off(attempt: int) -> None:
    """Full-jitter exponential backoff between re-runs after a lost race."""
    ceiling = min(_MAX_BACKOFF_SECONDS, 0.005 * 2**attempt)
    time.sleep(random.uniform(0, ceiling))  # noqa: S311  # spreading retries, not crypto
