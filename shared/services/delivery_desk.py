"""Operators' view of the intake journal: list deliveries, read one with its body, replay.

A replay re-opens deliveries that did not land (Quarantined, Rejected, or still Received) and
queues them again; ones that landed (Created, StageAdded, Duplicate, Test) are left alone, so a
replay can be repeated, or run over a window that mixes both, without a second lead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.domain.errors import (
    ConcurrentModification,
    DependencyUnavailable,
    NotFound,
)
from shared.domain.intake_journal import (
    LANDED,
    JournalEntry,
    received_at_of,
)
from shared.domain.principal import OPERATORS, Principal
from shared.services.delivery_queries import (
    DeliveryDetail,
    DeliveryPageView,
    DeliveryQuery,
    DeliverySummary,
    ReplayDeliveries,
    ReplayReport,
)
from shared.services.journal_ports import (
    DeliveryJournal,
    DeliveryQueue,
    JournalFilter,
    JournalPosition,
)
from shared.services.paging import PagingTokens
from shared.services.ports import Clock

_REPLAY_PAGE = 500  # deliveries read a query while a replay walks its window


@dataclass
class DeliveryDesk:
    journal: DeliveryJournal
    queue: DeliveryQueue
    clock: Clock
    tokens: PagingTokens

    def page(self, principal: Principal, query: DeliveryQuery) -> DeliveryPageView:
        principal.require_any(OPERATORS)
        scope = "deliveries:" + query.model_dump_json(exclude={"page_size", "continuation_token"})
        filters, resume = query.window(self.clock.now()), None
        if query.continuation_token:
            position = self.tokens.read(query.continuation_token, scope)
            resume = JournalPosition(date.fromisoformat(position["d"]), position["a"])
            filters = JournalFilter(
                datetime.fromisoformat(position["f"]),
                datetime.fromisoformat(position["t"]),
                filters.partner_id,
                filters.status,
            )
        page = self.journal.page(filters, resume, query.page_size)
        token = None
        if page.resume is not None:
            position = {
                "d": page.resume.day.isoformat(),
                "a": page.resume.after,
                "f": filters.received_from.isoformat(),
                "t": filters.received_to.isoformat(),
            }
            token = self.tokens.issue(scope, position)
        items = [DeliverySummary.of(entry) for entry in page.entries]
        return DeliveryPageView(items=items, continuation_token=token)

    def get(self, principal: Principal, delivery_id: str) -> DeliveryDetail:
        principal.require_any(OPERATORS)
        received_at_of(delivery_id)  # 400 for what is not an id at all
        entry = self.journal.get(delivery_id)
        if entry is None:
            raise NotFound(f"No delivery '{delivery_id}'.")
        body = (entry.body or b"").decode("utf-8", errors="replace")
        return DeliveryDetail.of(entry, body=body)

    def replay(self, principal: Principal, command: ReplayDeliveries) -> ReplayReport:
        principal.require_any(OPERATORS)
        if command.delivery_id is not None:
            entry = self.journal.get(command.delivery_id, with_body=False)
            if entry is None:
                raise NotFound(f"No delivery '{command.delivery_id}'.")
            entries = [entry]
        else:
            entries = list(self._window(command.window(self.clock.now())))
        report = ReplayReport(matched=len(entries), queued=0, skipped=0, failed=0)
        for entry in entries:
            self._replay_one(entry, report)
        return report

    def _window(self, filters: JournalFilter) -> Iterator[JournalEntry]:
        resume = None
        while True:
            page = self.journal.page(filters, resume, _REPLAY_PAGE)
            yield from page.entries
            if page.resume is None:
                return
            resume = page.resume

    def _replay_one(self, entry: JournalEntry, report: ReplayReport) -> None:
        if entry.status in LANDED:
            report.skipped += 1
            return
        if not entry.is_pending:
            full = self.journal.get(entry.delivery_id)  # re-opening moves the body too
            try:
                if full is None or full.etag != entry.etag:
                    raise ConcurrentModification("changed since it was listed")
                entry = self.journal.reopen(full, relay_at=self.clock.now() + timedelta(minutes=1))
            except ConcurrentModification:  # changed meanwhile: processing got there first
                report.skipped += 1
                return
        try:
            self.queue.publish(entry.delivery_id, entry.partner_id)
        except DependencyUnavailable:
            report.failed += 1
            return
        report.queued += 1
