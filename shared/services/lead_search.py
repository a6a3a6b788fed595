"""`q`: the leads whose company, first or last name or email starts with what was typed.

Served by the search index (`Q|<term>|<leadId>`, copies of the lead, one per term): one key
range per page, in term order, then lead id. A lead whose name and email both start with the
prefix has two rows in the range; it is listed once, at the smaller of its matching terms, so
a page never repeats a lead of an earlier page and no state beyond the position is needed.
"""

from __future__ import annotations

from typing import Any

from shared.domain.lead import Lead
from shared.domain.lead_values import View
from shared.domain.search_terms import first_match, search_terms
from shared.services.lead_cursor import DONE, RangeCursor
from shared.services.lead_query import LeadQuery
from shared.services.ports import (
    LeadBatch,
    LeadFilter,
    LeadLister,
    ListedLead,
    ListingRange,
    Resume,
)

Position = dict[str, Any]


class SearchPages:
    def __init__(
        self,
        lister: LeadLister,
        partner_id: str,
        query: LeadQuery,
        *,
        term: str,
        filters: LeadFilter,
    ) -> None:
        self._lister = lister
        self._partner_id = partner_id
        self._query = query
        self._term = term
        self._filters = filters

    def page(self, position: Position) -> tuple[list[Lead], Position | None]:
        ranges = self._query.ranges()
        if not ranges:
            return [], None
        cursor = RangeCursor.from_token(position.get("search"))
        found = cursor.take(self._fetch, self._query.page_size, self._first_row_of_its_lead)
        place = cursor.to_token()
        return [item.lead for item in found], (None if place == DONE else {"search": place})

    def _fetch(self, resume: Resume | None) -> LeadBatch:
        ranges = self._query.ranges()
        return self._lister.search_page(
            self._partner_id, View(self._query.view), term=self._term,
            archived=_archived_only(ranges), filters=self._filters,
            resume=resume, limit=self._query.page_size,
        )  # fmt: skip

    def _first_row_of_its_lead(self, item: ListedLead) -> bool:
        row_term = item.key.split("|", 1)[1].rsplit("|", 1)[0]
        return first_match(search_terms(item.lead.customer), self._term) == row_term


def _archived_only(ranges: list[ListingRange]) -> bool | None:
    """The search index holds active and archived leads alike: which of them the query wants
    (None: both)."""
    archived = ListingRange.ARCHIVED in ranges
    if archived and len(ranges) > 1:
        return None
    return archived
