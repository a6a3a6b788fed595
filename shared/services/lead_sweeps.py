"""Time-driven lifecycle steps on the leads that are due: expire, age out (docs/behaviour.md).

Each sweep reads one partner's due index (lead_rows.py: E, G or R rows, copies of the lead),
applies one step of the aggregate as of an instant and writes the lead back in one batch with
the notification it owes (the outbox), on condition that the lead did not change meanwhile.
So a lead is changed, and its notification owed, exactly once: a concurrent or repeated run
finds the due row gone (its write fails, and the lead re-read from its own row is no longer
due), and a crash after the commit leaves the notification in the outbox for the relay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.domain.errors import ConcurrentModification, NotFound
from shared.domain.lead import Lead
from shared.domain.notification import Notification, NotificationKind
from shared.services.job_ports import DueKind, DueLead, DueLeadStore, PartnerRun
from shared.services.lead_events import LeadEvents
from shared.services.outbox_relay import publish_committed
from shared.services.ports import Clock, LeadRepository, NotificationPublisher

logger = logging.getLogger(__name__)

SKIPPED = "skipped"  # no longer due: handled meanwhile (accepted, declined, another run)
CONFLICTS = "conflicts"  # still changing after a re-read: left for the next run
DEFERRED = "notificationsDeferred"  # committed, queue write failed: the outbox relay sends it


@dataclass(frozen=True, slots=True)
class SweepRule:
    kind: DueKind
    # The aggregate's step (lead, as_of, now); False when not due as of `as_of`.
    step: Callable[[Lead, datetime, datetime], bool]
    done: str  # the count of leads changed
    notify: NotificationKind | None = None


EXPIRE = SweepRule(DueKind.EXPIRY, Lead.expire, "expired", NotificationKind.LEAD_EXPIRED)
AGE_OUT = SweepRule(DueKind.AGING, Lead.age_out, "archived")

# Reminders are a sweep of their own (reminder_sweeps.py): one email lists a run's leads.


class LeadSweep:
    def __init__(
        self,
        *,
        rule: SweepRule,
        due: DueLeadStore,
        leads: LeadRepository,
        publisher: NotificationPublisher,
        clock: Clock,
        events: LeadEvents,
    ) -> None:
        self._rule = rule
        self._events = events
        self._clock = clock
        self._due = due
        self._leads = leads
        self._publisher = publisher

    @property
    def reports(self) -> tuple[str, ...]:
        notifying = (DEFERRED,) if self._rule.notify else ()
        return (self._rule.done, SKIPPED, CONFLICTS, *notifying)

    def run_partner(self, partner_id: str, as_of: datetime, *, limit: int) -> PartnerRun:
        run = PartnerRun()
        queue_up = True  # after one failed queue write, leave the rest to the relay at once
        for item in self._due.due(partner_id, self._rule.kind, since=None, through=as_of):
            if run.changed >= limit:
                run.more = True
                break
            outcome, owed = self._settle(item, as_of)
            run.counts[outcome] += 1
            run.changed += outcome == self._rule.done
            if owed:
                queue_up = queue_up and publish_committed(self._publisher, owed)
                run.counts[DEFERRED] += not queue_up
        return run

    def _settle(self, item: DueLead, as_of: datetime) -> tuple[str, list[Notification]]:
        """Apply the step and commit: first as read from the due row, then once re-read."""
        lead: Lead | None = item.lead
        for attempt in range(2):
            now = self._clock.now()
            if lead is None or not self._rule.step(lead, as_of, now):
                return SKIPPED, []
            owed = self._owed(lead, now)
            logged = self._events.of(lead, lead.pull_events())
            try:
                if attempt == 0:
                    self._due.commit(item, outbox=owed, events=logged)
                else:
                    self._leads.save(lead, outbox=owed, events=logged)
            except ConcurrentModification:
                lead = self._fresh(lead)
                continue
            return self._rule.done, owed
        logger.warning("Lead %s kept changing; the next run retries it", item.lead.id)
        return CONFLICTS, []

    def _fresh(self, lead: Lead) -> Lead | None:
        try:
            return self._leads.get(lead.partner_id, lead.id)
        except NotFound:
            return None

    def _owed(self, lead: Lead, now: datetime) -> list[Notification]:
        # Test leads are acknowledged and recorded, never emailed about (docs/behaviour.md).
        if self._rule.notify is None or lead.is_test:
            return []
        notification = Notification.about_lead(
            self._rule.notify, partner_id=lead.partner_id, lead_id=lead.id, now=now
        )
        return [notification]
