"""The event log's cost: storage round trips a lead change takes with and without its event,
and the entities a change-feed page examines as the log grows (1,000 and 10,000 events).

    .venv/bin/python -m bench.event_log

In-process against a fresh Azurite: the app's own services from the composition root, every
SDK request counted where it leaves (bench/_support.py). "Without" runs the same services with
a `LeadEvents` that logs nothing, so the difference is exactly what the event adds. Examined =
the entities the feed's key-range queries handed out (they carry key conditions only).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from azure.data.tables import TableClient

from bench._support import StorageRequestCounter, app_env, on_every_pipeline
from shared.adapters import event_rows
from shared.adapters import lead_rows as rows
from shared.adapters.clock import SystemClock
from shared.adapters.table_event_log import TableEventLog
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.lead import Lead, LeadDetails, LeadEvent
from shared.domain.lead_policy import LeadPolicy
from shared.domain.principal import Principal
from shared.services.event_ports import EVENT_TYPE_PREFIX, LeadChangeEvent
from shared.services.lead_actions import LeadActions
from shared.services.lead_commands import AcceptLead, EditDeal, WinLead
from shared.services.lead_events import LeadEvents
from shared.services.lead_intake import IntakeService
from tests.support.azurite import Azurite
from tests.support.counting_table import CountingTable
from tests.support.leads import make_lead

CHANGES = 20  # leads taken through each step


class NoEvents(LeadEvents):
    """The app as it was before the log: no event rides in any batch."""

    def of(self, lead: Lead, changes: Sequence[LeadEvent]) -> list[LeadChangeEvent]:
        return []


class _Unnoted:
    def lead_received(self, partner_id: str, at: datetime) -> None:
        return None


def round_trips(azurite: Azurite) -> dict[str, dict[str, Counter[str]]]:
    """Per step and variant, the mean storage requests of one change, by service."""
    wire = StorageRequestCounter(azurite)
    results: dict[str, dict[str, Counter[str]]] = {}
    with on_every_pipeline(wire):
        for variant, events in (("with events", None), ("without", NoEvents(policy=LeadPolicy()))):
            container = Container(Settings.model_validate(app_env(azurite, _prefix())))
            logged = events or container.lead_events
            intake = IntakeService(
                partners=container.partners,
                leads=container.lead_repository,
                publisher=container.publisher,
                clock=container.clock,
                policy=container.lead_policy,
                spam_domains=container.spam_domains,
                events=logged,
                activity=_Unnoted(),  # the summary row is not what this measures
            )
            actions = LeadActions(
                leads=container.lead_repository,
                favorites=container.favorites,
                publisher=container.publisher,
                clock=container.clock,
                policy=container.lead_policy,
                events=logged,
            )
            results[variant] = _steps(container, intake, actions, wire)
    return results


def _steps(
    container: Container, intake: IntakeService, actions: LeadActions, wire: StorageRequestCounter
) -> dict[str, Counter[str]]:
    partner = f"bench-{uuid.uuid4().hex[:6]}"
    admin = Principal(user_id="a", roles=frozenset({"Referrals.Admin"}), partner_id=partner)
    clock = SystemClock()
    warm = make_lead(partner, at=clock.now())
    intake.land_marketplace(partner, _details(warm))  # clients built, tables and queue made
    steps: dict[str, Callable[[str], object]] = {
        "accept": lambda lead_id: actions.accept(
            admin, lead_id, AcceptLead(deal_name="Fleet", notes="Demo"), None
        ),
        "edit": lambda lead_id: actions.edit(admin, lead_id, EditDeal(notes="Called"), None),
        "won": lambda lead_id: actions.win(admin, lead_id, WinLead(notes="Signed"), None),
    }
    totals: dict[str, Counter[str]] = {"received": Counter()}
    lead_ids = []
    wire.take()
    for _ in range(CHANGES):
        lead = make_lead(partner, at=clock.now())
        lead_ids.append(intake.land_marketplace(partner, _details(lead)).lead_id)
        totals["received"] += wire.take()
    for name, step in steps.items():
        totals[name] = Counter()
        for lead_id in lead_ids:
            step(lead_id)
            totals[name] += wire.take()
    return totals


def _details(lead: Lead) -> LeadDetails:
    """The details intake would have parsed for `lead` (make_lead's customer, a new email)."""
    return LeadDetails(
        view=lead.view,
        lead_type=lead.lead_type,
        source=lead.source,
        interaction=lead.interactions[0],
        offer=lead.offer,
        customer=lead.customer,
        quality=lead.quality,
        requires_action=True,
        contact_requested=True,
    )


def feed_pages(azurite: Azurite, size: int) -> list[tuple[str, int, int, float]]:
    """A partner log of `size` events (1 in 100 a `won`): what pages of 100 examine."""
    table = TableClient.from_connection_string(azurite.connection_string, f"b{_prefix()}Leads")
    table.create_table()
    partner = "bench"
    start = SystemClock().now() - timedelta(hours=1, seconds=size)  # all settled
    for first in range(0, size, 100):
        operations = []
        for i in range(first, min(first + 100, size)):
            kind = "won" if i % 100 == 99 else "updated"
            event_id = uuid.uuid4().hex
            event = LeadChangeEvent(
                event_id, EVENT_TYPE_PREFIX + kind, "lead", {"id": event_id, "type": kind}
            )
            operations.append(
                ("create", event_rows.event_entity(partner, event, start + timedelta(seconds=i)))
            )
        table.submit_transaction(operations)
    counting = CountingTable(table)
    log = TableEventLog(counting, clock=SystemClock(), settle=timedelta(seconds=60))  # type: ignore[arg-type]
    results: list[tuple[str, int, int, float]] = []
    middle = f"{rows.instant_key(start + timedelta(seconds=size // 2))}|{'0' * 32}"
    won = frozenset({EVENT_TYPE_PREFIX + "won"})
    cases: list[tuple[str, str | None, frozenset[str] | None]] = [
        ("first page", None, None),
        ("from the middle", middle, None),
        ("first page, types=won (1 in 100)", None, won),
    ]
    for label, after, types in cases:
        counting.examined = 0
        began = time.perf_counter()
        page = log.read_after(partner, after, types=types, limit=100)
        results.append((label, len(page.events), counting.examined, time.perf_counter() - began))
    walked = examined = pages = 0
    cursor: str | None = None
    counting.examined = 0
    while True:  # the whole log, as a CRM syncing from scratch
        page = log.read_after(partner, cursor, limit=100)
        walked, pages, cursor = walked + len(page.events), pages + 1, page.next_cursor
        if not page.has_more:
            break
    examined = counting.examined
    results.append((f"whole log: {walked} events in {pages} pages", walked, examined, 0.0))
    return results


def _prefix() -> str:
    return "ev" + uuid.uuid4().hex[:8]


def main() -> None:
    azurite = Azurite.start()
    try:
        trips = round_trips(azurite)
        print(f"Storage round trips per lead change (in-process, Azurite, {CHANGES} each)")
        for step in trips["with events"]:
            with_events = trips["with events"][step]
            without = trips["without"][step]
            print(
                f"  {step:9} with the event {with_events.total() / CHANGES:.2f}"
                f" ({dict(with_events)}), without {without.total() / CHANGES:.2f}"
                f" ({dict(without)}): {(with_events.total() - without.total()) / CHANGES:+.2f}"
            )
        for size in (1_000, 10_000):
            print(f"Change feed over a log of {size:,} events, pages of 100")
            for label, returned, examined, seconds in feed_pages(azurite, size):
                timing = f", {seconds * 1000:.0f} ms" if seconds else ""
                print(f"  {label:42} returned {returned:5}, examined {examined:5}{timing}")
    finally:
        azurite.stop()


if __name__ == "__main__":
    main()
