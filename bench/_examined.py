"""Storage entities a listing *examined*: what Table storage bills in time, not what it returned.

The service reads every entity inside the key range (PartitionKey, RowKey bounds) a query spans
and only then applies its property filters, and Azurite hides that cost (its in-memory scan is
fast). So `RecordingLister` wraps our own `LeadLister` port and records each page it was asked
for, and `examined` re-runs each recorded query with its key conditions only, from the same
continuation, counting entities up to where the real query stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from azure.data.tables import TableClient

from shared.adapters import lead_rows as rows
from shared.adapters.lead_index_queries import key_range_query
from shared.adapters.table_lead_lister import build_query
from shared.domain.lead_values import View
from shared.services.ports import LeadBatch, LeadFilter, LeadLister, ListingRange, Resume


@dataclass(frozen=True)
class RecordedPage:
    partner_id: str
    view: View
    archived: bool | None  # the search index's: only archived, only active, or both (None)
    filters: LeadFilter
    resume: Resume | None
    returned: int
    following: Resume | None  # where the real query stopped; None: at the range's end
    index: str = "listing"  # or "awaiting" (the expiry index), "search" (under `term`)
    term: str = ""
    listing: ListingRange | None = None  # the listing range a listing page read


@dataclass
class RecordingLister:
    """A decorator of the port: answers what `inner` answers, and remembers each call."""

    inner: LeadLister
    calls: list[RecordedPage] = field(default_factory=list)

    def page(
        self,
        partner_id: str,
        view: View,
        *,
        listing: ListingRange,
        filters: LeadFilter,
        resume: Resume | None,
        limit: int,
    ) -> LeadBatch:
        batch = self.inner.page(
            partner_id, view, listing=listing, filters=filters, resume=resume, limit=limit
        )
        self.calls.append(
            RecordedPage(
                partner_id, view, listing is ListingRange.ARCHIVED, filters, resume,
                len(batch.items), batch.resume, listing=listing,
            )
        )  # fmt: skip
        return batch

    def awaiting_page(
        self,
        partner_id: str,
        view: View,
        *,
        filters: LeadFilter,
        resume: Resume | None,
        limit: int,
    ) -> LeadBatch:
        batch = self.inner.awaiting_page(
            partner_id, view, filters=filters, resume=resume, limit=limit
        )
        self.calls.append(
            RecordedPage(
                partner_id, view, False, filters, resume, len(batch.items), batch.resume,
                index="awaiting",
            )
        )  # fmt: skip
        return batch

    def search_page(
        self,
        partner_id: str,
        view: View,
        *,
        term: str,
        archived: bool | None,
        filters: LeadFilter,
        resume: Resume | None,
        limit: int,
    ) -> LeadBatch:
        batch = self.inner.search_page(
            partner_id, view, term=term, archived=archived, filters=filters, resume=resume,
            limit=limit,
        )  # fmt: skip
        self.calls.append(
            RecordedPage(
                partner_id, view, archived, filters, resume, len(batch.items), batch.resume,
                index="search", term=term,
            )
        )  # fmt: skip
        return batch

    def take(self) -> list[RecordedPage]:
        calls, self.calls = self.calls, []
        return calls


def examined(table: TableClient, call: RecordedPage) -> int:
    """Entities in the call's key range, from where it began to where it stopped."""
    query, parameters = _key_conditions(call)
    start = call.resume.continuation if call.resume else None
    stop = _stop_key(table, query, parameters, call.following)
    count = 0
    for row_key in _row_keys(table, query, parameters, start):
        if stop is not None and row_key >= stop:
            break
        count += 1
    return count


def _key_conditions(call: RecordedPage) -> tuple[str, dict[str, Any]]:
    if call.index == "awaiting":
        return key_range_query(
            call.partner_id, (rows.EXPIRY_DUE, rows.key_after(rows.EXPIRY_DUE)), call.resume
        )
    if call.index == "search":
        return key_range_query(call.partner_id, rows.search_range(call.term), call.resume)
    assert call.listing is not None
    # Only what narrows the key range: the view and range prefix, the created window (RowKey
    # bounds) and the `after` position; no column filter, not even IsTest.
    keys_only = LeadFilter(
        created_from=call.filters.created_from,
        created_to=call.filters.created_to,
        include_test=True,
    )
    return build_query(
        call.partner_id, call.view, listing=call.listing, filters=keys_only, resume=call.resume
    )


def _stop_key(
    table: TableClient, query: str, parameters: dict[str, Any], following: Resume | None
) -> str | None:
    """The first key the real query had not examined: where its continuation points.

    Azure's continuation keys are opaque, so ask the store for the entity the token resumes at
    instead of decoding it.
    """
    if following is None or following.continuation is None:
        return None
    return next(iter(_row_keys(table, query, parameters, following.continuation, top=1)), None)


def _row_keys(
    table: TableClient,
    query: str,
    parameters: dict[str, Any],
    continuation: dict[str, str] | None,
    *,
    top: int = 1000,
) -> Iterator[str]:
    pages = table.query_entities(
        query, parameters=parameters, select=["RowKey"], results_per_page=top
    ).by_page(continuation_token=continuation)  # type: ignore[arg-type]  # the SDK's token is a dict
    for page in pages:
        for entity in page:
            yield entity["RowKey"]
