"""Expiry reminders: ONE email per partner (its team) and run, listing every lead it reminded.

As in the other sweeps (lead_sweeps.py), each lead is changed once, on condition of its due row,
with its reminder recorded on it. What differs is the email: the run first steps every due lead
(up to its limit) in memory, makes one `ExpiryReminder` naming them all, and writes that
notification's outbox row in the batch of the first lead that commits. So the email is owed
exactly when a reminder was recorded, and a crash after that commit leaves it to the relay.

Every lead of the run is reminded at the notification's own instant, and the planner lists only
the leads whose `reminded_at` is that instant: a lead whose commit lost a race (left for the next
run) or that a later run reminded is never listed twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from shared.domain.errors import ConcurrentModification, NotFound
from shared.domain.lead import Lead
from shared.domain.notification import DIGEST_MAX_LEADS, Notification
from shared.services.job_ports import DueKind, DueLead, DueLeadStore, PartnerRun
from shared.services.lead_events import LeadEvents
from shared.services.lead_sweeps import CONFLICTS, DEFERRED, SKIPPED
from shared.services.outbox_relay import publish_committed
from shared.services.ports import Clock, LeadRepository, NotificationPublisher

logger = logging.getLogger(__name__)

REMINDED = "reminded"


class ReminderSweep:
    def __init__(
        self,
        *,
        reminder_before: timedelta,
        due: DueLeadStore,
        leads: LeadRepository,
        publisher: NotificationPublisher,
        clock: Clock,
        events: LeadEvents,
    ) -> None:
        self._reminder_before = reminder_before
        self._events = events
        self._due = due
        self._leads = leads
        self._publisher = publisher
        self._clock = clock

    @property
    def reports(self) -> tuple[str, ...]:
        return (REMINDED, SKIPPED, CONFLICTS, DEFERRED)

    def run_partner(self, partner_id: str, as_of: datetime, *, limit: int) -> PartnerRun:
        run = PartnerRun()
        now = self._clock.now()
        batch = self._due_now(partner_id, as_of, now, min(limit, DIGEST_MAX_LEADS), run)
        # Test leads are acknowledged and recorded, never emailed about (docs/behaviour.md).
        emailed = [item.lead.id for item in batch if not item.lead.is_test]
        reminder = (
            Notification.expiry_reminder(partner_id=partner_id, lead_ids=emailed, now=now)
            if emailed
            else None
        )
        owed = [reminder] if reminder else []
        for item in batch:
            outcome = self._settle(item, as_of, now, outbox=owed)
            run.counts[outcome] += 1
            if outcome == REMINDED:
                run.changed += 1
                owed = []  # the outbox row is written: the other leads ride on it
        if reminder is not None and not owed and not publish_committed(self._publisher, [reminder]):
            run.counts[DEFERRED] += 1
        return run

    def _due_now(
        self, partner_id: str, as_of: datetime, now: datetime, cap: int, run: PartnerRun
    ) -> list[DueLead]:
        """The due leads, stepped in memory (not yet stored), at most `cap` of them."""
        # Due rows older than the reminder window are past respondBy: the expiry's business.
        since = as_of - self._reminder_before
        batch: list[DueLead] = []
        for item in self._due.due(partner_id, DueKind.REMINDER, since=since, through=as_of):
            if len(batch) >= cap:
                run.more = True
                break
            if item.lead.remind(as_of, now):
                batch.append(item)
            else:
                run.counts[SKIPPED] += 1
        return batch

    def _settle(
        self, item: DueLead, as_of: datetime, now: datetime, *, outbox: list[Notification]
    ) -> str:
        """Commit as read from the due row; after a lost race, once more as re-read."""
        try:
            logged = self._events.of(item.lead, item.lead.pull_events())
            self._due.commit(item, outbox=outbox, events=logged)
            return REMINDED
        except ConcurrentModification:
            pass
        fresh = self._fresh(item.lead)
        if fresh is None or not fresh.remind(as_of, now):
            return SKIPPED
        try:
            logged = self._events.of(fresh, fresh.pull_events())
            self._leads.save(fresh, outbox=outbox, events=logged)
        except ConcurrentModification:
            logger.warning("Lead %s kept changing; the next run reminds it", fresh.id)
            return CONFLICTS
        return REMINDED

    def _fresh(self, lead: Lead) -> Lead | None:
        try:
            return self._leads.get(lead.partner_id, lead.id)
        except NotFound:
            return None
