"""Lists leads from the listing copies (`A|…` active, `Z|…` archived) in key order = newest first.

Key conditions narrow the range the service examines (view, active/archived, created window);
the other filters are OData conditions on columns, evaluated inside that range (their cost is the
range, see docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from azure.data.tables import TableClient

from shared.adapters import lead_rows as rows
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.lead_values import EmailValidity, LeadStatus, View
from shared.services.ports import LeadBatch, LeadFilter, ListedLead, Resume

_COLUMNS = {
    "status": "Status",
    "outcome": "Outcome",
    "call_to_action": "CallToAction",
    "country": "Country",
    "source": "Source",
    "lead_type": "LeadType",
    "quality": "Quality",
    "email_validity": "EmailValidity",
    "phone_validity": "PhoneValidity",
}


class TableLeadLister:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def page(
        self,
        partner_id: str,
        view: View,
        *,
        archived: bool,
        filters: LeadFilter,
        resume: Resume | None,
        limit: int,
    ) -> LeadBatch:
        if archived and filters.hot:
            return LeadBatch([], None)  # no archived lead is hot (LeadPolicy.is_hot)
        query, parameters = build_query(
            partner_id, view, archived=archived, filters=filters, resume=resume
        )
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
    partner_id: str, view: View, *, archived: bool, filters: LeadFilter, resume: Resume | None
) -> tuple[str, dict[str, Any]]:
    """The OData filter: key conditions first (they bound the scan), then column conditions."""
    prefix = rows.listing_prefix(view.value, archived=archived)
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
    for field, column in _COLUMNS.items():
        value = getattr(filters, field)
        if value is not None:
            clauses.append(f"{column} eq @{field}")
            parameters[field] = str(value)
    if filters.company_prefix:
        clauses.append("CompanyKey ge @company and CompanyKey lt @company_end")
        parameters["company"] = filters.company_prefix.casefold()
        parameters["company_end"] = filters.company_prefix.casefold() + "\uffff"
    if not filters.include_test:
        clauses.append("IsTest eq false")
    clauses.extend(_hot_clause(filters, parameters, archived=archived))
    return " and ".join(clauses), parameters


def _hot_clause(filters: LeadFilter, parameters: dict[str, Any], *, archived: bool) -> list[str]:
    """LeadPolicy.is_hot as OData: contact requested, Received and action-required, email not
    flagged as spam, arrived after `hot_since`; `hot=false` is its exact negation.

    The SDK substitutes a parameter only where it is a whole space-separated word
    (`azure.data.tables._serialize._parameter_filter_substitution` splits the filter on " "), so
    a parameter never touches a parenthesis: `@hot_since)` would be looked up as "hot_since)".
    """
    if filters.hot is None or filters.hot_since is None:
        return []
    if archived:  # never hot: hot=false keeps every archived lead (hot=true reads no range)
        return [] if not filters.hot else ["PartitionKey ne @pk"]
    parameters["hot_since"] = filters.hot_since
    received, spam = LeadStatus.RECEIVED.value, EmailValidity.SPAM.value
    if filters.hot:
        return [
            f"ContactRequested eq true and Status eq '{received}' and RequiresAction eq true"
            f" and EmailValidity ne '{spam}' and CreatedAt gt @hot_since"
        ]
    return [
        f"( ContactRequested eq false or Status ne '{received}' or RequiresAction eq false"
        f" or EmailValidity eq '{spam}' or CreatedAt le @hot_since )"
    ]
