"""Expiry sweep: entities examined per expired lead, and time against leads stored.

`.venv/bin/python -m bench.sweep` starts its own Azurite (in memory, free ports), seeds two
stores (1,000 leads all due; 100,000 leads of which 1,000 are due) over the same partners, and
runs `expire-leads` as of one instant on each, in-process, through the job's own code path
(`PartnerJobs.run`, what a work order runs for its partners), with the real adapters: Table
storage, the notifications queue. Prints figures and PASS/FAIL; always exits 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from bench._support import StorageRequestCounter, app_env, breakdown, on_every_pipeline
from bench._sweep_seed import Store, lead_doc, seed
from bench._sweep_support import Examined, RecordingDirectory, RecordingDueLeads, RecordingLeads
from bench._write_control import time_bare_writes
from shared.adapters.queue_work_queue import QueueWorkQueue
from shared.adapters.table_due_leads import TableDueLeads
from shared.bootstrap import LEADS_TABLE, PARTNERS_TABLE, Container
from shared.config import Settings
from shared.services import job_names
from shared.services.lead_sweeps import EXPIRE, LeadSweep
from shared.services.partner_jobs import PartnerJobs
from tests.support.azurite import Azurite
from tests.support.leads import make_lead

PARTNERS = 20
DUE = 1_000
SMALL = Store("1,000 stored, all due", 1_000, DUE)
# A partner's partition is mostly archive: 20 new action-required leads a day for 14 days wait
# for an answer (5,600 over 20 partners), the rest was answered or expired long ago.
LARGE = Store("100,000 stored, 5,600 waiting", 100_000, DUE, active=5_600)
# The worst case for the due range and for Azurite: every lead waits for an answer.
WORST = Store("100,000 stored, all waiting", 100_000, DUE)
AS_OF = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
TARGET_EXAMINED, TARGET_RATIO = 1.2, 1.5


@dataclass(frozen=True)
class Sweep:
    store: Store
    entities: int
    seed_seconds: float
    counts: dict[str, int]
    seconds: float
    examined: Examined
    requests: dict[str, float]
    control_seconds: float  # the same writes without the job (bench/_write_control.py)

    @property
    def per_expired(self) -> float:
        return self.examined.total / max(1, self.counts["expired"])

    def __str__(self) -> str:
        e = self.examined
        return (
            f"{self.store.label} ({self.entities:,} entities, seeded in "
            f"{self.seed_seconds:.0f} s): expired {self.counts['expired']:,} in "
            f"{self.seconds:.2f} s ({self.seconds / max(1, self.counts['expired']) * 1000:.1f} "
            f"ms a lead)\n"
            f"      examined {e.total:,} entities in {e.queries} queries = "
            f"{self.per_expired:.3f} per expired lead (partners table {e.partners}, due rows "
            f"{e.due_rows:,}, lead reads {e.lead_reads})\n"
            f"      storage requests per expired lead: {breakdown(self.requests)}; "
            f"counts {self.counts}\n"
            f"      control, the same batches and queue writes without the job: "
            f"{self.control_seconds:.2f} s"
        )


def measure(azurite: Azurite, prefix: str, store: Store) -> Sweep:
    counter = StorageRequestCounter(azurite)  # in every SDK pipeline: what really goes out
    with on_every_pipeline(counter):
        return _measure(azurite, prefix, store, counter)


def _measure(azurite: Azurite, prefix: str, store: Store, counter: StorageRequestCounter) -> Sweep:
    settings = Settings.model_validate(app_env(azurite, prefix))
    container = Container(settings)
    leads_table = container.storage.table(LEADS_TABLE)
    partners_table = container.storage.table(PARTNERS_TABLE)
    partner_ids = [f"bench-{n:03d}" for n in range(PARTNERS)]

    began = time.perf_counter()
    entities, control_keys = seed(
        leads_table,
        container.partner_repository,
        partner_ids=partner_ids,
        store=store,
        as_of=AS_OF,
    )
    seed_seconds = time.perf_counter() - began
    container.storage.queue(settings.notifications_queue).create_queue()  # not timed

    examined = Examined()
    leads = RecordingLeads(leads_table, examined)
    due = RecordingDueLeads(TableDueLeads(leads_table, leads), leads_table, examined)
    sweep = LeadSweep(
        events=container.lead_events,
        rule=EXPIRE,
        due=due,
        leads=leads,
        publisher=container.publisher,
        clock=container.clock,
    )
    jobs = PartnerJobs(
        jobs={job_names.EXPIRE_LEADS: sweep},
        partners=RecordingDirectory(container.partner_repository, partners_table, examined),
        queue=QueueWorkQueue(container.storage.queue(settings.work_queue)),
        retries=container.retries_for(settings.work_queue),
        clock=container.clock,
        partners_per_order=25,
        leads_per_order=1000,
    )
    counter.take()
    began = time.perf_counter()
    counts = jobs.run(job_names.EXPIRE_LEADS, AS_OF)
    seconds = time.perf_counter() - began - examined.counting_seconds
    requests = counter.take()
    requests["table"] -= examined.queries  # the instrument's own counting queries
    expired = max(1, counts["expired"])
    per_lead = {service: n / expired for service, n in requests.items()}
    control_queue = container.storage.queue(f"control-{prefix}")
    control_queue.create_queue()
    doc = lead_doc(make_lead("bench-000", at=AS_OF))
    control = time_bare_writes(leads_table, control_queue, control_keys, doc)
    return Sweep(store, entities, seed_seconds, counts, seconds, examined, per_lead, control)


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def main() -> None:
    started = time.monotonic()
    azurite = Azurite.start()
    try:
        print(f"Expiry sweep as of {AS_OF:%Y-%m-%d %H:%M}Z, {PARTNERS} partners, {DUE:,} due")
        sweeps = []
        for prefix, store in (("sweepsmall", SMALL), ("sweeplarge", LARGE), ("sweepworst", WORST)):
            sweeps.append(measure(azurite, prefix, store))
            print(f"  {sweeps[-1]}")
    finally:
        azurite.stop()
    small = sweeps[0]
    print(f"Summary ({time.monotonic() - started:.0f} s)")
    for large in sweeps[1:]:
        ratio = large.seconds / small.seconds
        emulator = large.control_seconds / small.control_seconds
        print(f"  {large.store.label}:")
        print(
            f"    {_verdict(large.per_expired <= TARGET_EXAMINED)}  entities examined per "
            f"expired lead ≤ {TARGET_EXAMINED}: {large.per_expired:.3f}"
        )
        print(
            f"    {_verdict(ratio <= TARGET_RATIO)}  time ratio to the sweep of {small.store.label}"
            f" ≤ {TARGET_RATIO}: {ratio:.2f} (Azurite's own, the same writes without the job: "
            f"{emulator:.2f}; the job's, ratio / Azurite's: {ratio / emulator:.2f})"
        )


if __name__ == "__main__":
    main()
