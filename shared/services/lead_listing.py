"""List a partner's leads (`GET /api/leads`): views, filters, sorts, continuation tokens.

The contract: docs/http-contract.md, "Partner workspace".

Newest first (the default) is the storage order: active and archived ranges are read a page at a
time and merged, so a page costs at most a page from each range, however much is archived. Other
sorts and the favourites view read the filtered set and sort it in memory (see
docs/architecture.md for each filter's cost).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.lead import Lead
from shared.domain.lead_policy import LeadPolicy, could_be_hot
from shared.domain.lead_values import View
from shared.domain.model import ApiModel
from shared.domain.principal import PARTNER_READERS, Principal
from shared.services.lead_query import LeadQuery
from shared.services.lead_view import LeadView, present
from shared.services.paging import PagingTokens
from shared.services.ports import (
    Clock,
    FavoriteStore,
    LeadFilter,
    LeadLister,
    LeadRepository,
    ListedLead,
    Resume,
)

_SCAN_PAGE = 200  # page size when a sort needs the whole filtered set


class LeadPage(ApiModel):
    items: list[LeadView]
    continuation_token: str | None


@dataclass
class _Range:
    """One key range being merged: what was fetched and not yet listed, and where to go on."""

    archived: bool
    fetch_from: Resume | None  # where the next storage page begins (None: the range's start)
    exhausted: bool = False  # storage has nothing past `fetch_from`
    buffer: list[ListedLead] = field(default_factory=list)
    listed_up_to: Resume | None = None  # after the last lead this request listed

    @classmethod
    def from_token(cls, archived: bool, saved: object) -> _Range:
        if saved == "done":
            return cls(archived, None, exhausted=True)
        if isinstance(saved, dict):
            return cls(archived, Resume(saved.get("after"), saved.get("continuation")))
        return cls(archived, None)

    def to_token(self, began_at: Resume | None) -> object:
        """Where the next request goes on: after what was listed, else where this one began."""
        if self.buffer:
            position = self.listed_up_to or began_at
        elif self.exhausted:
            return "done"
        else:
            position = self.fetch_from
        if position is None:
            return None
        return {"after": position.after, "continuation": position.continuation}


class LeadListing:
    def __init__(
        self,
        *,
        lister: LeadLister,
        leads: LeadRepository,
        favorites: FavoriteStore,
        clock: Clock,
        policy: LeadPolicy,
        tokens: PagingTokens,
    ) -> None:
        self._lister = lister
        self._leads = leads
        self._favorites = favorites
        self._clock = clock
        self._policy = policy
        self._tokens = tokens

    def page(self, principal: Principal, query: LeadQuery) -> LeadPage:
        partner_id = principal.require_partner(PARTNER_READERS)
        now = self._clock.now()
        scope = f"{partner_id}\x1f{principal.user_id}\x1f{query.scope()}"
        position = (
            self._tokens.read(query.continuation_token, scope) if query.continuation_token else {}
        )
        favorite_ids = self._favorites.favorite_ids(partner_id, principal.user_id)
        if query.view == "favorites" or query.sort != "-createdAt":
            leads, next_position = self._sorted_page(partner_id, favorite_ids, query, now, position)
        else:
            leads, next_position = self._merged_page(partner_id, query, now, position)
        marked = set(favorite_ids)
        return LeadPage(
            items=[
                present(
                    lead,
                    now=now,
                    policy=self._policy,
                    favorite=lead.id in marked,
                    viewer=principal,
                )
                for lead in leads
            ],
            continuation_token=self._tokens.issue(scope, next_position) if next_position else None,
        )

    def all_matching(self, principal: Principal, query: LeadQuery) -> Iterator[LeadView]:
        """Every lead the query selects, in its order, for export.

        Newest first streams range page by range page. Any other order needs the whole filtered
        set once anyway, so it is read and sorted once, not once per page. It has no pages, so
        a continuation token (malformed or not) is refused rather than silently ignored.
        """
        if query.continuation_token is not None:
            raise InvalidInput(
                "The export streams every matching lead: drop continuationToken.",
                [FieldError("continuationToken", "the export takes no continuation token")],
            )
        partner_id = principal.require_partner(PARTNER_READERS)
        favorite_ids = self._favorites.favorite_ids(partner_id, principal.user_id)
        marked = set(favorite_ids)
        now = self._clock.now()
        leads: Iterable[Lead]
        if query.view == "favorites" or query.sort != "-createdAt":
            leads = self._sorted(partner_id, favorite_ids, query, now)
        else:
            leads = self._newest_first(partner_id, query, now)
        for lead in leads:
            yield present(
                lead, now=now, policy=self._policy, favorite=lead.id in marked, viewer=principal
            )

    def _newest_first(self, partner_id: str, query: LeadQuery, now: datetime) -> Iterator[Lead]:
        pages = query.model_copy(update={"page_size": _SCAN_PAGE})
        position: dict[str, Any] | None = {}
        while position is not None:
            leads, position = self._merged_page(partner_id, pages, now, position)
            yield from leads

    # -- newest first: merge the ranges in key order -------------------------------------------

    def _merged_page(
        self, partner_id: str, query: LeadQuery, now: datetime, position: dict[str, Any]
    ) -> tuple[list[Lead], dict[str, Any] | None]:
        filters = query.filters(now, self._policy)
        saved = position.get("ranges", {})
        ranges = [_Range.from_token(a, saved.get(_range_name(a))) for a in query.ranges()]
        began_at = {cursor.archived: cursor.fetch_from for cursor in ranges}
        listed: list[Lead] = []
        while len(listed) < query.page_size:
            for cursor in ranges:
                self._fill(cursor, partner_id, View(query.view), filters, query.page_size)
            candidates = [cursor for cursor in ranges if cursor.buffer]
            if not candidates:
                break
            newest = min(candidates, key=lambda cursor: _list_order(cursor.buffer[0].key))
            item = newest.buffer.pop(0)
            newest.listed_up_to = Resume(after=item.key)
            listed.append(item.lead)
        places = {_range_name(c.archived): c.to_token(began_at[c.archived]) for c in ranges}
        finished = all(place == "done" for place in places.values())
        return listed, (None if finished else {"ranges": places})

    def _fill(
        self, cursor: _Range, partner_id: str, view: View, filters: LeadFilter, limit: int
    ) -> None:
        # Fetch only when the merge needs this range's head; pages emptied by filters chain on.
        while not cursor.buffer and not cursor.exhausted:
            batch = self._lister.page(
                partner_id, view, archived=cursor.archived, filters=filters,
                resume=cursor.fetch_from, limit=limit,
            )  # fmt: skip
            cursor.buffer = list(batch.items)
            cursor.fetch_from = batch.resume
            cursor.exhausted = batch.resume is None

    # -- other sorts and favourites: the filtered set, sorted in memory ------------------------

    def _sorted_page(
        self,
        partner_id: str,
        favorite_ids: list[str],
        query: LeadQuery,
        now: datetime,
        position: dict[str, Any],
    ) -> tuple[list[Lead], dict[str, Any] | None]:
        leads = self._sorted(partner_id, favorite_ids, query, now)
        offset = int(position.get("offset", 0))
        page = leads[offset : offset + query.page_size]
        more = offset + query.page_size < len(leads)
        return page, ({"offset": offset + query.page_size} if more else None)

    def _sorted(
        self, partner_id: str, favorite_ids: list[str], query: LeadQuery, now: datetime
    ) -> list[Lead]:
        """The whole filtered set, in the query's order."""
        filters = query.filters(now, self._policy)
        if query.view == "favorites":
            leads = [self._leads.get(partner_id, lead_id) for lead_id in favorite_ids]
            leads = [lead for lead in leads if matches(lead, filters)]
        else:
            leads = list(self._every(partner_id, View(query.view), query, filters))
        leads.sort(key=_sort_key(query.sort), reverse=query.sort.startswith("-"))
        return leads

    def _every(
        self, partner_id: str, view: View, query: LeadQuery, filters: LeadFilter
    ) -> Iterator[Lead]:
        for archived in query.ranges():
            resume: Resume | None = None
            while True:
                batch = self._lister.page(
                    partner_id, view, archived=archived, filters=filters,
                    resume=resume, limit=_SCAN_PAGE,
                )  # fmt: skip
                yield from (item.lead for item in batch.items)
                if batch.resume is None:
                    break
                resume = batch.resume


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
    # The same rule as LeadPolicy.is_hot and the stored query (table_lead_lister._hot_clause).
    hot = (
        filters.hot_since is not None and could_be_hot(lead) and lead.created_at > filters.hot_since
    )
    refusals = [
        any(wanted is not None and wanted != actual for wanted, actual in wanted_and_actual),
        not company.startswith(prefix),
        lead.is_test and not filters.include_test,
        filters.created_from is not None and lead.created_at < filters.created_from,
        filters.created_to is not None and lead.created_at > filters.created_to,
        filters.hot is not None and hot != filters.hot,
    ]
    return not any(refusals)


def _sort_key(sort: str) -> Any:
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


def _list_order(key: str) -> str:
    """`A|view|<newest-first>|id` and `Z|…` compare by what follows the view."""
    return key.split("|", 2)[2]


def _range_name(archived: bool) -> str:
    return "archived" if archived else "active"
