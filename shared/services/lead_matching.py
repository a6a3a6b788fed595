"""The list filters and sorts in memory, for what no key range serves: favourites (fetched by
id), the sorts no index keeps, and which leads the expiry index holds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.domain.lead import Lead
from shared.domain.lead_policy import could_be_hot
from shared.domain.lead_values import LeadStatus
from shared.domain.search_terms import first_match, search_terms
from shared.services.ports import LeadFilter


def awaits_answer(lead: Lead) -> bool:
    """Waiting for an accept or decline: the rule of the expiry index's `E|` row and of the
    awaiting listing range (lead_rows.py)."""
    return (
        lead.status is LeadStatus.RECEIVED and lead.requires_action and lead.respond_by is not None
    )


def matches(lead: Lead, filters: LeadFilter) -> bool:
    """The list filters, in memory: for favourites, which are fetched by id, not by range."""
    wanted_and_actual = [
        (filters.status, lead.status),
        (filters.outcome, lead.outcome),
        (filters.call_to_action, lead.call_to_action),
        (filters.country, lead.customer.country),
        (filters.source, lead.source),
        (filters.lead_type, lead.lead_type),
        (filters.quality, lead.quality.rating),
        (filters.email_validity, lead.email_validity),
        (filters.phone_validity, lead.phone_validity),
    ]
    company = (lead.customer.company or "").casefold()
    prefix = (filters.company_prefix or "").casefold()
    term = filters.search_term
    # The same rule as LeadPolicy.is_hot and the stored query (lead_filter_clauses._hot_clause).
    hot = (
        filters.hot_since is not None and could_be_hot(lead) and lead.created_at > filters.hot_since
    )
    refusals = [
        any(wanted is not None and wanted != actual for wanted, actual in wanted_and_actual),
        not company.startswith(prefix),
        term is not None and first_match(search_terms(lead.customer), term) is None,
        lead.is_test and not filters.include_test,
        filters.created_from is not None and lead.created_at < filters.created_from,
        filters.created_to is not None and lead.created_at > filters.created_to,
        filters.hot is not None and hot != filters.hot,
    ]
    return not any(refusals)


def sort_key(sort: str) -> Any:
    field_name = sort.lstrip("-")
    far = datetime.max.replace(tzinfo=None)

    def key(lead: Lead) -> tuple[Any, ...]:
        if field_name == "respondBy":
            value: Any = lead.respond_by.replace(tzinfo=None) if lead.respond_by else far
        elif field_name == "customer":
            value = (lead.customer.company or "").casefold()
        elif field_name == "estimatedValue":
            value = (
                lead.deal.estimated_value if lead.deal and lead.deal.estimated_value else Decimal(0)
            )
        else:
            value = lead.created_at
        return (value, lead.id)

    return key
