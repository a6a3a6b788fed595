"""The Partner Center import's memory against the file's size: the service's own allocations
(tracemalloc peak) importing 5,000 and 50,000 rows from a spooled file, storage left out (the
journal and queue discard what they get), so what is measured is what grows with the file.

`.venv/bin/python -m bench.lead_import`
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from datetime import datetime

from shared.domain.intake_journal import JournalEntry
from shared.domain.principal import Principal
from shared.services.customer_checks import SpamDomains
from shared.services.lead_import import LeadImport
from shared.services.partners import PartnerService, RegisterPartner
from tests.unit.fakes import InMemoryPartnerRepository, SteppingClock

ADMIN = Principal(user_id="a", roles=frozenset({"Referrals.Admin"}), partner_id="bench")
HEADER = (
    "\ufeffLead Id,First Name,Last Name,Email Address,Phone,Country/Region,Company Name,"
    "Job Title,Lead Source,Action Code,Offer Title,Description,LeadCreationDateTime\r\n"
)


class _Discard:
    def record_many(self, entries: list[JournalEntry], *, relay_at: datetime) -> None:
        del entries, relay_at

    def publish_many(self, delivery_ids: list[str], partner_id: str) -> None:
        del delivery_ids, partner_id


def _row(i: int) -> str:
    return (
        f"{i},Mia,Schmidt,mia.{i}@fabrikam.de,+49 30 901820,DE,Fabrikam {i % 97},CTO,"
        f'AzureMarketplace,PLT,Fleet Insights,"Wants a demo\r\nfor {i} vans",'
        "2026-10-01T08:30:00Z\r\n"
    )


def measure(rows: int) -> tuple[int, float, float]:
    clock = SteppingClock()
    partners = PartnerService(repository=InMemoryPartnerRepository(), clock=clock, base_url="x")
    partners.register(RegisterPartner(partner_id="bench", name="Bench"))
    discard = _Discard()
    importer = LeadImport(
        partners=partners,
        journal=discard,  # type: ignore[arg-type]  # only record_many is called
        queue=discard,  # type: ignore[arg-type]  # only publish_many is called
        clock=clock,
        spam_domains=SpamDomains.from_lines([]),
    )
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        spool.write(HEADER.encode())
        for i in range(rows):
            spool.write(_row(i).encode())
        size_mb = spool.tell() / 1e6
        tracemalloc.start()
        began = time.perf_counter()
        report = importer.run(ADMIN, None, spool)  # type: ignore[arg-type]
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert report.imported == rows, report
    return peak, size_mb, seconds


def main() -> None:
    print("Partner Center import: the service's peak allocations (storage calls discarded)")
    for rows in (5_000, 50_000):
        peak, size_mb, seconds = measure(rows)
        print(f"  {rows:6d} rows ({size_mb:5.1f} MB): peak {peak / 1e6:5.1f} MB, {seconds:5.1f} s")


if __name__ == "__main__":
    main()
