"""Partner workspace: what a list page examines beside a long archive; export's memory.

`.venv/bin/python -m bench.workspace` starts its own Azurite (in memory, free ports) and host,
seeds one partner with 20,000 archived and 100 active leads, then prints:

- for the first page (50) of a list query, the storage entities the service *examines* (every
  entity in the key ranges the listing's queries span, up to where they stopped: see
  bench/_examined.py), for the default list, the active range alone and a few filters;
- for the export of every lead, peak memory growth (RSS, and Python's own allocations by
  tracemalloc) and rows per second, in-process and through the local host over HTTP.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._examined import RecordingLister, examined
from bench._export_cost import export_in_process, export_over_http, traced_export
from bench._support import app_env
from bench._workspace_seed import ADMIN, seed_in_child
from shared.adapters.table_lead_lister import TableLeadLister
from shared.bootstrap import DEV_PAGING_KEY, LEADS_TABLE, Container
from shared.config import Settings
from shared.domain.lead_values import Outcome
from shared.domain.model import parse_model
from shared.services.lead_listing import LeadListing
from shared.services.lead_query import LeadQuery
from shared.services.paging import PagingTokens
from tests.support.azurite import Azurite

ARCHIVED, ACTIVE, PAGE = 20_000, 100, 50
TARGET_EXAMINED = 2 * PAGE
TARGET_GROWTH_MIB = 50
PREFIX = "benchws"


@dataclass(frozen=True)
class Listed:
    name: str
    examined: int
    returned: int
    pages: int  # storage queries the listing made
    seconds: float

    def __str__(self) -> str:
        return (
            f"  {self.name:<44} examined {self.examined:>6}, listed {self.returned:>3},"
            f" {self.pages:>3} queries, {self.seconds * 1000:6.0f} ms"
        )


def scenarios(now: datetime) -> list[tuple[str, dict[str, Any]]]:
    week = {"createdFrom": (now - timedelta(days=60)).isoformat(),
            "createdTo": (now - timedelta(days=53)).isoformat()}  # fmt: skip
    return [
        ("default: newest first, active + archived", {}),
        ("status=Received (active range only)", {"status": "Received"}),
        ("createdFrom/createdTo: one archived week", week),
        ("quality=High (2 in 3 leads)", {"quality": "High"}),
        ("outcome=Won (1 in 10 archived)", {"outcome": "Won"}),
        ("hot=true (24 active leads)", {"hot": "true"}),
        ("customer=fabrikam (prefix, 1 in 400)", {"customer": "fabrikam"}),
        ("sort=respondBy: waiting leads first (E|)", {"sort": "respondBy"}),
        ("sort=respondBy, 2nd page: phase change", {"sort": "respondBy", "page": "2"}),
        ("q=fabri (search index, 1 in 400)", {"q": "fabri"}),
        ("q=SCHMIDT (every lead's last name)", {"q": "SCHMIDT"}),
        ("q=mia5 (email prefix)", {"q": "mia5"}),
        ("q=fabri, 2nd page", {"q": "fabri", "page": "2"}),
    ]


def measure_listing(container: Container, now: datetime) -> list[Listed]:
    table = container.storage.table(LEADS_TABLE)
    recorder = RecordingLister(TableLeadLister(table))
    listing = LeadListing(
        lister=recorder, leads=container.lead_repository, favorites=container.favorites,
        clock=container.clock, policy=container.lead_policy, tokens=PagingTokens(DEV_PAGING_KEY),
    )  # fmt: skip
    results = []
    for name, params in scenarios(now):
        second_page = params.get("page") == "2"
        fields = {key: value for key, value in params.items() if key != "page"}
        query = parse_model(LeadQuery, {**fields, "pageSize": PAGE})
        if second_page:  # the page the first one's token leads to
            token = listing.page(ADMIN, query).continuation_token
            recorder.take()
            query = query.model_copy(update={"continuation_token": token})
        began = time.perf_counter()
        page = listing.page(ADMIN, query)
        seconds = time.perf_counter() - began
        calls = recorder.take()
        count = sum(examined(table, call) for call in calls)
        results.append(Listed(name, count, len(page.items), len(calls), seconds))
    return results


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def main() -> None:
    started = time.monotonic()
    azurite = Azurite.start()
    try:
        env = app_env(azurite, PREFIX)
        now = datetime.now(UTC)
        began = time.monotonic()
        seed_in_child(env, archived=ARCHIVED, active=ACTIVE, now=now)
        seeding = time.monotonic() - began
        print(f"Seeded {ARCHIVED} archived + {ACTIVE} active leads in {seeding:.0f} s")
        container = Container(Settings.model_validate(env))
        container.lead_listing.page(ADMIN, LeadQuery(page_size=1))  # clients built, table known

        # Export first, while this process's heap holds nothing but the app.
        print(f"Export of every lead ({ARCHIVED + ACTIVE})")
        in_process = export_in_process(container)
        print(f"  in-process:   {in_process}")
        # The same peak for a tenth of the rows: memory does not grow with the rows.
        print(f"  tracemalloc:  {traced_export(container, LeadQuery())},"
              f" {traced_export(container, LeadQuery(outcome=Outcome.WON))}")  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="bench-workspace-") as log_dir:
            # A tenth of the rows first, then all: the host's peak should not follow the rows.
            tenth, over_http = export_over_http(env, Path(log_dir), [{"outcome": "Won"}, {}])
        print(f"  over HTTP:    {tenth} (the host process, outcome=Won)")
        print(f"                {over_http} (the host process, every lead)")

        print(f"First page ({PAGE}) of a list query: storage entities examined")
        listed = measure_listing(container, now)
        for row in listed:
            print(row)
    finally:
        azurite.stop()

    print(f"Summary ({time.monotonic() - started:.0f} s)")
    for row in [*listed[:2], *(r for r in listed if "respondBy" in r.name or "q=" in r.name)]:
        passed = row.examined <= TARGET_EXAMINED
        print(f"  {_verdict(passed)}  {row.name.split(':')[0]}: examined {row.examined}"
              f" ≤ {TARGET_EXAMINED}")  # fmt: skip
    for name, export in (("in-process", in_process), ("over HTTP", over_http)):
        growth = export.memory.growth_mib
        verdict = _verdict(growth <= TARGET_GROWTH_MIB)
        print(f"  {verdict}  export {name}: peak RSS growth {growth:.1f} MiB"
              f" ≤ {TARGET_GROWTH_MIB} MiB, {export.per_second:,.0f} rows/s")  # fmt: skip


if __name__ == "__main__":
    main()
