"""The lead repository, noting each new lead on its partner's summary (operators' "last lead
received"), where the event happens: once the lead is stored, never instead of storing it."""

from __future__ import annotations

from collections.abc import Sequence

from shared.domain.lead import Lead
from shared.domain.notification import Notification
from shared.services.event_ports import LeadChangeEvent
from shared.services.operator_ports import PartnerActivity
from shared.services.ports import DedupRecord, IdempotencyRecord, LeadRepository, PoolTurn


class ActivityNotingLeads:
    def __init__(self, leads: LeadRepository, activity: PartnerActivity) -> None:
        self._leads = leads
        self._activity = activity

    def add(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        replaces: DedupRecord | None = None,
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        stored = self._leads.add(lead, outbox=outbox, replaces=replaces, events=events, turn=turn)
        self._activity.lead_received(lead.partner_id, lead.created_at)
        return stored

    def find_dedup(self, partner_id: str, dedup_key: str) -> DedupRecord | None:
        return self._leads.find_dedup(partner_id, dedup_key)

    def get(self, partner_id: str, lead_id: str) -> Lead:
        return self._leads.get(partner_id, lead_id)

    def save(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        return self._leads.save(lead, outbox=outbox, events=events, turn=turn)

    def find_idempotency(self, partner_id: str, key: str) -> IdempotencyRecord | None:
        return self._leads.find_idempotency(partner_id, key)

    def remember_idempotency(self, partner_id: str, record: IdempotencyRecord) -> IdempotencyRecord:
        return self._leads.remember_idempotency(partner_id, record)
