"""Send each partner the digest of the leads held back on days that are over in its time zone.

The notifier holds a new lead past the day's threshold (lead_rows.py, `H|<day>|<leadId>`). Once
the partner's local day is over, this job turns the day's held leads into `DailyDigest`
notifications, most urgent first, and writes each in one batch with the deletion of the rows it
carries (table_digest_holds.py): a lead is in exactly one digest, whatever runs concurrently.
A digest carries at most DIGEST_MAX_LEADS leads (one batch), so a busier day has several.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain.errors import ConcurrentModification, NotFound
from shared.domain.lead import Lead
from shared.domain.lead_values import LeadStatus
from shared.domain.notification import DIGEST_MAX_LEADS, Notification
from shared.services.job_ports import DigestHolds, PartnerRun
from shared.services.lead_sweeps import CONFLICTS, DEFERRED
from shared.services.outbox_relay import publish_committed
from shared.services.ports import LeadRepository, NotificationPublisher, PartnerRepository

logger = logging.getLogger(__name__)
_ROUNDS = 3  # a lost race means another run released those leads: list again, this often
_LAST = datetime.max.replace(tzinfo=UTC)


class DailyDigests:
    def __init__(
        self,
        *,
        partners: PartnerRepository,
        holds: DigestHolds,
        leads: LeadRepository,
        publisher: NotificationPublisher,
    ) -> None:
        self._partners = partners
        self._holds = holds
        self._leads = leads
        self._publisher = publisher

    @property
    def reports(self) -> tuple[str, ...]:
        return ("digests", "leads", CONFLICTS, DEFERRED)

    def run_partner(self, partner_id: str, as_of: datetime, *, limit: int) -> PartnerRun:
        run = PartnerRun()
        for _ in range(_ROUNDS):
            days = self._days_over(partner_id, as_of)
            if not days:
                return run
            if self._send(partner_id, days, as_of, run, limit):
                return run
        run.counts[CONFLICTS] += 1
        return run

    def _days_over(self, partner_id: str, as_of: datetime) -> dict[date, list[str]]:
        """Held leads of the partner's days that are over as of `as_of`, by day."""
        # No time zone is a day ahead of UTC, so no day after UTC's today is over anywhere:
        # list through it first, and read the partner (its zone) only when something is held.
        held = self._holds.held(partner_id, through=as_of.astimezone(UTC).date())
        if not held:
            return {}
        partner = self._partners.find(partner_id)
        zone = ZoneInfo(partner.time_zone if partner else "UTC")
        last_over = as_of.astimezone(zone).date() - timedelta(days=1)
        days: dict[date, list[str]] = defaultdict(list)
        for hold in held:
            if hold.day <= last_over:
                days[hold.day].append(hold.lead_id)
        return dict(sorted(days.items()))

    def _send(
        self,
        partner_id: str,
        days: dict[date, list[str]],
        as_of: datetime,
        run: PartnerRun,
        limit: int,
    ) -> bool:
        """Release the days' digests, up to `limit` leads; False after a lost race (another run
        released some of these leads: the caller lists again)."""
        for day, lead_ids in days.items():
            if run.changed >= limit:
                run.more = True
                return True
            ordered = self._most_urgent_first(partner_id, lead_ids)
            for start in range(0, len(ordered), DIGEST_MAX_LEADS):
                chunk = ordered[start : start + DIGEST_MAX_LEADS]
                digest = Notification.daily_digest(
                    partner_id=partner_id, day=day, lead_ids=chunk, now=as_of
                )
                try:
                    self._holds.release(digest)
                except ConcurrentModification:
                    logger.info("Held leads of %s on %s were released meanwhile", partner_id, day)
                    return False
                run.counts["digests"] += 1
                run.counts["leads"] += len(chunk)
                run.changed += len(chunk)
                if not publish_committed(self._publisher, [digest]):
                    run.counts[DEFERRED] += 1  # owed in the outbox already: the relay sends it
        return True

    def _most_urgent_first(self, partner_id: str, lead_ids: list[str]) -> list[str]:
        """Closest to expiry first; leads no longer waiting (the email leaves them out) last."""
        ranks = {lead_id: self._rank(partner_id, lead_id) for lead_id in lead_ids}
        return sorted(ranks, key=lambda lead_id: (ranks[lead_id], lead_id))

    def _rank(self, partner_id: str, lead_id: str) -> tuple[bool, datetime]:
        try:
            lead: Lead = self._leads.get(partner_id, lead_id)
        except NotFound:
            return True, _LAST
        waiting = lead.status is LeadStatus.RECEIVED
        return not waiting, lead.respond_by or _LAST
