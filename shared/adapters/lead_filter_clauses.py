"""The list filters as OData conditions on the columns every lead copy carries (lead_rows.py).

Evaluated by the store inside a query's key range: they choose what is returned, not what is
examined (see docs/architecture.md, "What each list filter costs").
"""

from __future__ import annotations

from typing import Any

from shared.adapters.lead_rows import NO_OWNER
from shared.domain.lead_values import EmailValidity, LeadStatus
from shared.services.ports import LeadFilter

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


def column_clauses(
    filters: LeadFilter, parameters: dict[str, Any], *, archived: bool | None
) -> list[str]:
    """The filters on columns, inside whatever key range: `archived` None = a range of both."""
    clauses = []
    for field, column in _COLUMNS.items():
        value = getattr(filters, field)
        if value is not None:
            clauses.append(f"{column} eq @{field}")
            parameters[field] = str(value)
    if filters.company_prefix:
        clauses.append("CompanyKey ge @company and CompanyKey lt @company_end")
        parameters["company"] = filters.company_prefix.casefold()
        parameters["company_end"] = filters.company_prefix.casefold() + "\uffff"
    if filters.owner_key is not None:  # inside the owner's own range, a no-op kept for clarity
        clauses.append("OwnerId eq @owner_id")
        parameters["owner_id"] = "" if filters.owner_key == NO_OWNER else filters.owner_key
    if not filters.include_test:
        clauses.append("IsTest eq false")
    clauses.extend(_hot_clause(filters, parameters, archived=archived))
    return clauses


def _hot_clause(
    filters: LeadFilter, parameters: dict[str, Any], *, archived: bool | None
) -> list[str]:
    """LeadPolicy.is_hot as OData: contact requested, Received and action-required, email not
    flagged as spam, arrived after `hot_since`; `hot=false` is its exact negation. The Status
    condition also tells archived copies apart in a range holding both (`archived` None).

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
