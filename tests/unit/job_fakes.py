"""In-memory fakes of the jobs' ports (shared/services/job_ports.py), over the lead fakes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared.adapters import lead_rows as rows
from shared.adapters.clock import FixedClock
from shared.adapters.table_due_leads import PREFIXES, due_range
from shared.domain.delivery import HeldDay, HeldLead
from shared.domain.errors import ConcurrentModification
from shared.domain.lead import Lead
from shared.domain.lead_policy import LeadPolicy
from shared.domain.notification import Notification
from shared.domain.work_order import WorkOrder
from shared.services.event_ports import LeadChangeEvent
from shared.services.job_ports import DueKind, DueLead
from shared.services.lead_events import LeadEvents
from shared.services.lead_sweeps import LeadSweep, SweepRule
from shared.services.reminder_sweeps import ReminderSweep
from tests.unit.fakes import InMemoryLeadRepository, RecordingPublisher


@dataclass
class InMemoryDueLeads:
    """The due rows are derived from the stored leads with the adapter's own key rules, and a
    row's version is its lead's: what the Table adapter guarantees by rewriting them together."""

    leads: InMemoryLeadRepository
    rows_read: int = 0
    conflicts_to_inject: int = 0  # the next commits fail as if the lead had just changed

    def due(
        self, partner_id: str, kind: DueKind, *, since: datetime | None, through: datetime
    ) -> Iterator[DueLead]:
        start, end = due_range(kind, since=since, through=through)
        found = [
            (key, lead)
            for (partner, _), lead in list(self.leads.leads.items())
            if partner == partner_id
            for key in rows.due_keys(lead)
            if key.startswith(PREFIXES[kind]) and start <= key < end
        ]
        for key, lead in sorted(found, key=lambda item: item[0]):
            self.rows_read += 1
            yield DueLead(lead=lead.model_copy(deep=True), row_key=key, etag=lead.etag)

    def commit(
        self,
        item: DueLead,
        *,
        outbox: Sequence[Notification],
        events: Sequence[LeadChangeEvent] = (),
    ) -> Lead:
        current = self.leads.leads[(item.lead.partner_id, item.lead.id)]
        if self.conflicts_to_inject:
            self.conflicts_to_inject -= 1
            raise ConcurrentModification("injected")
        if current.etag != item.etag or item.row_key not in rows.due_keys(current):
            raise ConcurrentModification("the due row changed")
        lead = item.lead.model_copy(update={"etag": current.etag})
        return self.leads.save(lead, outbox=outbox, events=events)


@dataclass
class InMemoryDigestHolds:
    rows: set[tuple[str, date, str]] = field(default_factory=set)
    released: list[Notification] = field(default_factory=list)
    versions: dict[tuple[str, date], int] = field(default_factory=dict)
    queries: int = 0
    steal_before_release: str | None = None  # a lead another run releases meanwhile
    touched_after_release: bool = False  # another run finishes our release's deletions
    leads: InMemoryLeadRepository | None = None  # what the expiry index would list

    def hold(self, partner_id: str, day: date, *lead_ids: str) -> None:
        self.rows.update((partner_id, day, lead_id) for lead_id in lead_ids)

    def held(self, partner_id: str, *, through: date) -> list[HeldLead]:
        self.queries += 1
        return [
            HeldLead(day=day, lead_id=lead_id)
            for partner, day, lead_id in sorted(self.rows)
            if partner == partner_id and day <= through
        ]

    def day(self, partner_id: str, day: date) -> HeldDay:
        ids = tuple(lead for p, d, lead in sorted(self.rows) if (p, d) == (partner_id, day))
        return HeldDay(day=day, lead_ids=ids, version=self._version(partner_id, day))

    def release(self, digest: Notification, version: str | None) -> str | None:
        assert digest.digest_day is not None
        partner, day = digest.partner_id, digest.digest_day
        stolen = {key for key in self.rows if key[2] == self.steal_before_release}
        if stolen:  # another run released that lead first: the day's record moved on
            self.steal_before_release = None
            self.rows -= stolen
            self.versions[(partner, day)] = self.versions.get((partner, day), 0) + 1
        if version != self._version(partner, day):
            raise ConcurrentModification("released meanwhile")
        keys = {(partner, day, lead_id) for lead_id in digest.lead_ids}
        assert keys <= self.rows, "a release under the current version names only held leads"
        self.rows -= keys
        self.versions[(partner, day)] = self.versions.get((partner, day), 0) + 1
        self.released.append(digest)
        if self.touched_after_release:
            self.touched_after_release = False
            self.versions[(partner, day)] += 1
            return None
        return str(self.versions[(partner, day)])

    def waiting_order(self, partner_id: str) -> list[str]:
        stored = self.leads.leads.values() if self.leads else []
        waiting = [
            lead
            for lead in stored
            if lead.partner_id == partner_id
            and any(key.startswith(rows.EXPIRY_DUE) for key in rows.due_keys(lead))
        ]
        return [lead.id for lead in sorted(waiting, key=lambda lead: (lead.respond_by, lead.id))]

    def _version(self, partner_id: str, day: date) -> str | None:
        version = self.versions.get((partner_id, day))
        return None if version is None else str(version)


@dataclass
class RecordingWorkQueue:
    orders: list[WorkOrder] = field(default_factory=list)

    def enqueue(self, orders: Sequence[WorkOrder]) -> None:
        self.orders.extend(orders)


@dataclass
class StaticPartnerDirectory:
    ids: list[str]

    def partner_ids(self) -> Iterator[str]:
        yield from self.ids


class SweepWorld:
    """A partner's leads, their due rows and the queue, for one sweep rule at a time."""

    partner_id = "contoso"

    def __init__(self) -> None:
        self.leads = InMemoryLeadRepository()
        self.due = InMemoryDueLeads(self.leads)
        self.publisher = RecordingPublisher()
        self.now: datetime | None = None  # the real time of a run; None: the run's as_of

    def add(self, lead: Lead) -> Lead:
        return self.leads.add(lead)

    def sweep(self, rule: SweepRule, as_of: datetime, *, limit: int = 1000) -> dict[str, int]:
        clock = FixedClock(self.now or as_of)
        job = LeadSweep(
            events=LeadEvents(policy=LeadPolicy()),
            rule=rule,
            due=self.due,
            leads=self.leads,
            publisher=self.publisher,
            clock=clock,
        )
        run = job.run_partner(self.partner_id, as_of, limit=limit)
        return {**dict.fromkeys(job.reports, 0), **run.counts, "more": int(run.more)}

    def remind(self, as_of: datetime, *, limit: int = 1000) -> dict[str, int]:
        job = ReminderSweep(
            events=LeadEvents(policy=LeadPolicy()),
            reminder_before=timedelta(hours=48),
            due=self.due,
            leads=self.leads,
            publisher=self.publisher,
            clock=FixedClock(self.now or as_of),
        )
        run = job.run_partner(self.partner_id, as_of, limit=limit)
        return {**dict.fromkeys(job.reports, 0), **run.counts, "more": int(run.more)}

    def stored(self, lead: Lead) -> Lead:
        return self.leads.get(lead.partner_id, lead.id)
