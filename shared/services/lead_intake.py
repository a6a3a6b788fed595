"""Land a lead: exactly once per customer and offer, with the notification it owes.

Staff referrals arrive here from their route; marketplace deliveries from the intake journal's
processing. An exact re-delivery is one point read; a new lead is that read, one batch (lead,
its index rows, its outbox rows) and one queue write.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from shared.domain.errors import ConcurrentModification, Conflict
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
from shared.services.outbox_relay import publish_committed
from shared.services.partners import PartnerService
from shared.services.ports import (
    Clock,
    DedupRecord,
    IdempotencyRecord,
    LeadRepository,
    NotificationPublisher,
)
from shared.services.referrals import ReferLead, referral_lead_details

_ATTEMPTS = 5  # optimistic retries when concurrent deliveries race for the same customer


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
        events: LeadEvents | None = None,
    ) -> None:
        self._partners = partners
        self._leads = leads
        self._publisher = publisher
        self._clock = clock
        self._policy = policy
        self._spam_domains = spam_domains
        self._new_id = new_id
        self._events = events or LeadEvents(policy=policy)

    def land_marketplace(self, partner_id: str, details: LeadDetails) -> IntakeReceipt:
        """Land a journaled marketplace delivery (see `DeliveryProcessor`): at most one lead
        per customer and offer, whatever runs it again."""
        return self._land(partner_id, details, actor=MARKETPLACE)

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

    def _land(self, partner_id: str, details: LeadDetails, *, actor: Actor) -> IntakeReceipt:
        key = dedup_key(details)
        for _ in range(_ATTEMPTS):
            record = self._leads.find_dedup(partner_id, key)
            try:
                if record is not None and not record.archived:
                    return self._add_stage(partner_id, record, details, actor)
                return self._create(partner_id, key, details, actor, replaces=record)
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
        changes = lead.pull_events()
        owed = self._owed(lead, changes)
        self._leads.add(lead, outbox=owed, replaces=replaces, events=self._events.of(lead, changes))
        publish_committed(self._publisher, owed)
        return IntakeReceipt(lead_id=lead.id, duplicate=False, result=IntakeResult.CREATED)

    def _add_stage(
        self, partner_id: str, record: DedupRecord, details: LeadDetails, actor: Actor
    ) -> IntakeReceipt:
        if stage_key(details.interaction) in record.stages:
            return IntakeReceipt(
                lead_id=record.lead_id, duplicate=True, result=IntakeResult.DUPLICATE
            )
        lead = self._leads.get(partner_id, record.lead_id)
        added = lead.add_stage(
            details.interaction,
            requires_action=details.requires_action,
            actor=actor,
            policy=self._policy,
        )
        if not added:  # a concurrent delivery added this stage first
            return IntakeReceipt(lead_id=lead.id, duplicate=True, result=IntakeResult.DUPLICATE)
        changes = lead.pull_events()
        owed = self._owed(lead, changes)
        self._leads.save(lead, outbox=owed, events=self._events.of(lead, changes))
        publish_committed(self._publisher, owed)
        return IntakeReceipt(lead_id=lead.id, duplicate=True, result=IntakeResult.STAGE_ADDED)

    def _owed(self, lead: Lead, changes: list[LeadEvent]) -> list[Notification]:
        """A lead that now needs the partner's answer is announced; test leads never are."""
        events = {change.kind for change in changes}
        if lead.is_test or LeadEventKind.BECAME_ACTION_REQUIRED not in events:
            return []
        return [
            Notification.about_lead(
                NotificationKind.NEW_LEAD,
                partner_id=lead.partner_id,
                lead_id=lead.id,
                now=lead.action_required_since or lead.created_at,
            )
        ]
