"""Lists leads from the listing copies (`U|…` awaiting an answer, `A|…` other active, `Z|…`
archived) in key order = newest first,
and from the index copies: the expiry index (`E|`, soonest respondBy first) and the search
index (`Q|`, by term; lead_index_queries.py).

Key conditions narrow the range the service examines (view, active/archived, created window);
the other filters are OData conditions on columns, evaluated inside that range (their cost is the
range, see docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from azure.data.tables import TableClient

from shared.adapters import lead_rows as rows
from shared.adapters.lead_filter_clauses import column_clauses
from shared.adapters.lead_index_queries import awaiting_query, search_query
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.lead_values import View
from shared.services.ports import LeadBatch, LeadFilter, ListedLead, ListingRange, Resume


class TableLeadLister:
    def __init__(self, table: TableClient) -> None:
        self._table = table

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
        if listing is ListingRange.ARCHIVED and filters.hot:
            return LeadBatch([], None)  # no archived lead is hot (LeadPolicy.is_hot)
        query, parameters = build_query(
            partner_id, view, listing=listing, filters=filters, resume=resume
        )
        return self._run(query, parameters, resume, limit)

    def awaiting_page(
        self,
        partner_id: str,
        view: View,
        *,
        filters: LeadFilter,
        resume: Resume | None,
        limit: int,
    ) -> LeadBatch:
        query, parameters = awaiting_query(partner_id, view, filters=filters, resume=resume)
        return self._run(query, parameters, resume, limit)

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
        query, parameters = search_query(
            partner_id, view, term=term, archived=archived, filters=filters, resume=resume
        )
        return self._run(query, parameters, resume, limit)

    def _run(
        self, query: str, parameters: dict[str, Any], resume: Resume | None, limit: int
    ) -> LeadBatch:
        with translate_storage_errors():
            pages = self._table.query_entities(
                query, parameters=parameters, results_per_page=min(limit, 1000)
            ).by_page(continuation_token=resume.continuation if resume else None)  # type: ignore[arg-type]  # the Tables SDK's token is a dict
            entities = list(next(pages, []))
            following = pages.continuation_token  # type: ignore[attr-defined]
        items = [ListedLead(key=e["RowKey"], lead=rows.lead_from_entity(e)) for e in entities]
        if not following:
            return LeadBatch(items, None)
        # The store's continuation belongs to this exact query, so keep its `after` clause.
        return LeadBatch(
            items, Resume(after=resume.after if resume else None, continuation=following)
        )


def build_query(
    partner_id: str,
    view: View,
    *,
    listing: ListingRange,
    filters: LeadFilter,
    resume: Resume | None,
) -> tuple[str, dict[str, Any]]:
    """The OData filter: key conditions first (they bound the scan), then column conditions."""
    archived = listing is ListingRange.ARCHIVED
    prefix = rows.listing_prefix(view.value, listing)
    start, end = prefix, rows.key_after(prefix)
    if filters.created_to is not None:  # newest first: a later bound is a smaller key
        start = max(start, prefix + rows.newest_first(filters.created_to))
    if filters.created_from is not None:
        end = min(end, prefix + rows.newest_first(filters.created_from, exclusive=True))
    clauses = ["PartitionKey eq @pk", "RowKey ge @start", "RowKey lt @end"]
    parameters: dict[str, Any] = {"pk": partner_id, "start": start, "end": end}
    if resume is not None and resume.after is not None:
        clauses.append("RowKey gt @after")
        parameters["after"] = resume.after
    return " and ".join(
        clauses + column_clauses(filters, parameters, archived=archived)
    ), parameters
