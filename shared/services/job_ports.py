"""The ports of the scheduled jobs (expiry, archiving, reminders, digests) and their fan-out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from shared.domain.delivery import HeldDay, HeldLead
from shared.domain.lead import Lead
from shared.domain.notification import Notification
from shared.domain.work_order import WorkOrder
from shared.services.event_ports import LeadChangeEvent


class DueKind(StrEnum):
    """The due indexes of a partner's leads (lead_rows.py: E, G, R rows)."""

    EXPIRY = "expiry"  # by respondBy
    AGING = "aging"  # by archiveAt
    REMINDER = "reminder"  # by remindAt
    FOLLOW_UP = "followUp"  # by followUpBy: leads nobody followed up (stale_lead_escalation.py)


@dataclass(frozen=True, slots=True)
class DueLead:
    """A lead read from its due row, and that row's version."""

    lead: Lead
    row_key: str
    etag: str | None  # None: read from the lead row itself (lead.etag guards the write)


class DueLeadStore(Protocol):
    def due(
        self, partner_id: str, kind: DueKind, *, since: datetime | None, through: datetime
    ) -> Iterator[DueLead]:
        """The partner's leads due in [since, through] by `kind`, earliest first: one range
        query over the due index, never a scan of the partner's leads."""
        ...

    def commit(
        self,
        item: DueLead,
        *,
        outbox: Sequence[Notification],
        events: Sequence[LeadChangeEvent] = (),
    ) -> Lead:
        """Write back `item.lead`, changed, with the notifications it owes and the events of its
        change, all or nothing;
        `ConcurrentModification` if the lead changed since it was read."""
        ...


class DigestHolds(Protocol):
    """Leads held for the daily digest (lead_rows.py, `H|`): see table_digest_holds.py."""

    def held(self, partner_id: str, *, through: date) -> list[HeldLead]:
        """Every held lead of the days up to `through`: which days have something held."""
        ...

    def day(self, partner_id: str, day: date) -> HeldDay:
        """What is still held on `day`, under the version of its release record; finishes a
        release a crashed run left half done first."""
        ...

    def release(self, digest: Notification, version: str | None) -> str | None:
        """Owe the digest and forget the held rows it carries; the record's new version, or
        None if another run touched the day meanwhile (the digest is owed all the same: list
        the day again before releasing more). `ConcurrentModification`, with nothing written,
        if the day was released since `version` was read."""
        ...

    def waiting_order(self, partner_id: str) -> list[str]:
        """The ids of the partner's leads still awaiting a response, closest to expiry first:
        one range query over the expiry index (ids only), so ranking a day's digest costs the
        partner's open leads (bounded by the respond window), not a read per held lead."""
        ...


class LeadIndexAudit(Protocol):
    def outdated(self, partner_id: str) -> Iterator[str]:
        """Ids of the partner's leads whose index rows were written under an older layout
        (lead id order); reads a projection of the lead rows, never a whole lead."""
        ...


class WorkQueue(Protocol):
    def enqueue(self, orders: Sequence[WorkOrder]) -> None:
        """Put the orders on the work queue; `DependencyUnavailable` if it cannot."""
        ...


@dataclass
class PartnerRun:
    """What a job did in one partner's partition; `more` when it stopped at its limit."""

    counts: Counter[str] = field(default_factory=Counter)
    changed: int = 0  # leads changed (or digested): what counts against the limit
    more: bool = False


class PartnerJob(Protocol):
    @property
    def reports(self) -> tuple[str, ...]:
        """The counts a run always answers, zero or not."""
        ...

    def run_partner(self, partner_id: str, as_of: datetime, *, limit: int) -> PartnerRun:
        """Do what is due for one partner as of `as_of`, changing at most about `limit` leads.

        Idempotent: a second run, concurrent or later, finds nothing left to do.
        """
        ...
