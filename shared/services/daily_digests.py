"""Send each partner the digest of the leads held back on days that are over in its time zone.

The notifier holds a new lead past the day's threshold (lead_rows.py, `H|<day>|<leadId>`). Once
the partner's local day is over, this job turns the day's held leads into ONE `DailyDigest`,
most urgent first, released on condition of the day's release record (table_digest_holds.py): a
lead is in exactly one digest, whatever runs concurrently. Only a day of more than
DIGEST_MAX_LEADS held leads (what one notification can carry) gets more than one.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain.errors import ConcurrentModification
from shared.domain.notification import DIGEST_MAX_LEADS, Notification
from shared.services.job_ports import DigestHolds, PartnerRun
from shared.services.lead_sweeps import CONFLICTS, DEFERRED
from shared.services.outbox_relay import publish_committed
from shared.services.ports import Clock, NotificationPublisher, PartnerRepository

logger = logging.getLogger(__name__)
_ROUNDS = 3  # a lost race means another run released those leads: list again, this often


class DailyDigests:
    def __init__(
        self,
        *,
        partners: PartnerRepository,
        holds: DigestHolds,
        publisher: NotificationPublisher,
        clock: Clock,
    ) -> None:
        self._clock = clock  # records the digest's creation; `as_of` only picks the days over
        self._partners = partners
        self._holds = holds
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

    def _days_over(self, partner_id: str, as_of: datetime) -> list[date]:
        """The partner's days with leads held that are over as of `as_of`, oldest first."""
        # No time zone is a day ahead of UTC, so no day after UTC's today is over anywhere:
        # list through it first, and read the partner (its zone) only when something is held.
        held = self._holds.held(partner_id, through=as_of.astimezone(UTC).date())
        if not held:
            return []
        partner = self._partners.find(partner_id)
        zone = ZoneInfo(partner.time_zone if partner else "UTC")
        last_over = as_of.astimezone(zone).date() - timedelta(days=1)
        return sorted({hold.day for hold in held if hold.day <= last_over})

    def _send(
        self, partner_id: str, days: list[date], as_of: datetime, run: PartnerRun, limit: int
    ) -> bool:
        """Release the days' digests, up to `limit` leads; False after a lost race (another run
        released some of these leads: the caller lists again)."""
        for day in days:
            if run.changed >= limit:
                run.more = True
                return True
            try:
                self._release_day(partner_id, day, as_of, run)
            except ConcurrentModification:
                logger.info("Held leads of %s on %s were released meanwhile", partner_id, day)
                return False
        return True

    def _release_day(self, partner_id: str, day: date, as_of: datetime, run: PartnerRun) -> None:
        held = self._holds.day(partner_id, day)
        version = held.version  # None: the day was never released, or (later) it moved on
        ordered = self._most_urgent_first(partner_id, list(held.lead_ids))
        for start in range(0, len(ordered), DIGEST_MAX_LEADS):
            if start and version is None:
                raise ConcurrentModification("the day changed since it was listed: list again")
            chunk = ordered[start : start + DIGEST_MAX_LEADS]
            digest = Notification.daily_digest(
                partner_id=partner_id, day=day, lead_ids=chunk, now=self._clock.now()
            )
            version = self._holds.release(digest, version)
            run.counts["digests"] += 1
            run.counts["leads"] += len(chunk)
            run.changed += len(chunk)
            if not publish_committed(self._publisher, [digest]):
                run.counts[DEFERRED] += 1  # owed in the outbox already: the relay sends it

    def _most_urgent_first(self, partner_id: str, lead_ids: list[str]) -> list[str]:
        """Closest to expiry first; leads no longer waiting (the email leaves them out) last."""
        rank = {lead_id: i for i, lead_id in enumerate(self._holds.waiting_order(partner_id))}
        last = len(rank)
        return sorted(lead_ids, key=lambda lead_id: (rank.get(lead_id, last), lead_id))
