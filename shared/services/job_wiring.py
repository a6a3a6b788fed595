"""The ports the scheduled jobs write through, bundled: the composition root builds the jobs
once over the live ports and once over their dry-run counterparts (dry_run_ports.py)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.services.dry_run_ports import (
    DryDueLeads,
    DryEventPruner,
    DryHolds,
    DryJournal,
    DryLeads,
    DryOutbox,
    DryPublisher,
    EventLogPreview,
)
from shared.services.job_ports import DigestHolds, DueLeadStore, LeadIndexAudit, WorkQueue
from shared.services.journal_ports import DeliveryJournal, DeliveryQueue
from shared.services.ports import LeadRepository, NotificationPublisher, OutboxStore


@dataclass(frozen=True)
class JobPorts:
    due: DueLeadStore
    leads: LeadRepository
    publisher: NotificationPublisher
    holds: DigestHolds
    outbox: OutboxStore
    work: WorkQueue
    journal: DeliveryJournal
    delivery_queue: DeliveryQueue
    events: EventLogPreview
    index_audit: LeadIndexAudit

    def dry(self) -> JobPorts:
        """The same reads; every write dropped."""
        nothing = DryPublisher()
        return JobPorts(
            due=DryDueLeads(self.due),
            leads=DryLeads(self.leads),
            publisher=nothing,
            holds=DryHolds(self.holds),
            outbox=DryOutbox(self.outbox),
            work=nothing,
            journal=DryJournal(self.journal),
            delivery_queue=nothing,
            events=DryEventPruner(self.events),
            index_audit=self.index_audit,  # reads only
        )
