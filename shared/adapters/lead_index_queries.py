"""Queries over the index copies of a partner's leads (lead_rows.py), whose key is not the view.

The expiry index `E|<respondBy>|<id>` holds every Received lead that waits for an answer, in
respondBy order; the search index `Q|<term>|<id>` holds a copy per term a lead is found by.
Both span the views (and the search index active and archived leads alike), so the view, and
every filter, is a column condition inside the key range: what they examine is the range.
"""

from __future__ import annotations

from typing import Any

from shared.adapters import lead_rows as rows
from shared.adapters.lead_filter_clauses import column_clauses
from shared.domain.lead_values import View
from shared.services.ports import LeadFilter, Resume


def awaiting_query(
    partner_id: str, view: View, *, filters: LeadFilter, resume: Resume | None
) -> tuple[str, dict[str, Any]]:
    start = rows.EXPIRY_DUE
    return _range_query(
        partner_id, view, (start, rows.key_after(start)), filters, resume, archived=False
    )


def search_query(
    partner_id: str,
    view: View,
    *,
    term: str,
    archived: bool | None,
    filters: LeadFilter,
    resume: Resume | None,
) -> tuple[str, dict[str, Any]]:
    return _range_query(
        partner_id, view, rows.search_range(term), filters, resume, archived=archived
    )


def key_range_query(
    partner_id: str, key_range: tuple[str, str], resume: Resume | None
) -> tuple[str, dict[str, Any]]:
    """The key conditions alone: what the store examines for a query over `key_range`."""
    clauses = ["PartitionKey eq @pk", "RowKey ge @start", "RowKey lt @end"]
    parameters: dict[str, Any] = {"pk": partner_id, "start": key_range[0], "end": key_range[1]}
    if resume is not None and resume.after is not None:
        clauses.append("RowKey gt @after")
        parameters["after"] = resume.after
    return " and ".join(clauses), parameters


def _range_query(
    partner_id: str,
    view: View,
    key_range: tuple[str, str],
    filters: LeadFilter,
    resume: Resume | None,
    *,
    archived: bool | None,
) -> tuple[str, dict[str, Any]]:
    query, parameters = key_range_query(partner_id, key_range, resume)
    clauses = [query, "View eq @view"]
    parameters["view"] = view.value
    if archived is not None:
        clauses.append(f"Status {'eq' if archived else 'ne'} @archived_range")
        parameters["archived_range"] = "Archived"
    if filters.created_from is not None:
        clauses.append("CreatedAt ge @created_from")
        parameters["created_from"] = filters.created_from
    if filters.created_to is not None:
        clauses.append("CreatedAt le @created_to")
        parameters["created_to"] = filters.created_to
    return " and ".join(
        clauses + column_clauses(filters, parameters, archived=archived)
    ), parameters
