"""List a partner's leads (`GET /api/leads`): views, filters, sorts, continuation tokens.

The contract: docs/http-contract.md, "Partner workspace".

Newest first (the default) is the storage order: active and archived ranges are read a page at a
time and merged, so a page costs at most a page from each range, however much is archived. Other
sorts and the favourites view read the filtered set and sort it in memory (see
docs/architecture.md for each filter's cost).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.lead import Lead
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import LeadStatus, View
from shared.domain.model import ApiModel
from shared.domain.principal import PARTNER_READERS, Principal
from shared.services.lead_cursor import DONE, RangeCursor
from shared.services.lead_matching import awaits_answer, matches, sort_key
from shared.services.lead_query import LeadQuery
from shared.services.lead_search import SearchPages
from shared.services.lead_view import LeadView, present
from shared.services.paging import PagingTokens
from shared.services.ports import (
    Clock,
    FavoriteStore,
    LeadBatch,
    LeadFilter,
    LeadLister,
    LeadRepository,
    ListingRange,
    Resume,
)

Position = dict[str, Any]
Paged = tuple[list[Lead], Position | None]

_SCAN_PAGE = 200  # page size when a sort needs the whole filtered set


class LeadPage(ApiModel):
    items: list[LeadView]
    continuation_token: str | None


class LeadListing:
    """Newest first is the storage order (the ranges merged). `sort=respondBy` reads the expiry
    index first (the leads waiting for an answer, soonest first), then every other lead newest
    first; `q` reads the search index (lead_search.py). Other sorts, a search with an explicit
    sort, and the favourites view read the filtered set and sort it in memory."""

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
        if _in_memory(query):
            leads, next_position = self._sorted_page(partner_id, favorite_ids, query, now, position)
        else:
            leads, next_position = self._indexed_page(partner_id, query, now)(position)
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
        if _in_memory(query):
            leads = self._sorted(partner_id, favorite_ids, query, now)
        else:
            pages = query.model_copy(update={"page_size": _SCAN_PAGE})
            leads = _every_page(self._indexed_page(partner_id, pages, now))
        for lead in leads:
            yield present(
                lead, now=now, policy=self._policy, favorite=lead.id in marked, viewer=principal
            )

    def _indexed_page(
        self, partner_id: str, query: LeadQuery, now: datetime
    ) -> Callable[[Position], Paged]:
        """The page function of an order storage serves, from a position to the next."""
        if query.term is not None:
            filters = query.filters(now, self._policy)
            search = SearchPages(self._lister, partner_id, query, term=query.term, filters=filters)
            return search.page
        if query.order == "respondBy":
            return lambda position: self._awaiting_first_page(partner_id, query, now, position)
        return lambda position: self._merged_page(partner_id, query, now, position)

    # -- respondBy: the expiry index, then every other lead newest first -----------------------

    def _awaiting_first_page(
        self, partner_id: str, query: LeadQuery, now: datetime, position: Position
    ) -> Paged:
        filters = query.filters(now, self._policy)
        view = View(query.view)
        awaiting = RangeCursor.from_token(position.get("awaiting"))
        if not _may_await(query):
            awaiting = RangeCursor.from_token(DONE)

        def fetch(resume: Resume | None) -> LeadBatch:
            return self._lister.awaiting_page(
                partner_id, view, filters=filters, resume=resume, limit=query.page_size
            )

        listed = [item.lead for item in awaiting.take(fetch, query.page_size)]
        place = awaiting.to_token()
        if place != DONE:
            return listed, {"awaiting": place, "ranges": {}}
        # The awaiting leads were all listed: the rest come from the other ranges. Awaiting
        # leads stored before their own range existed are still in the active one: skipped.
        others: list[ListingRange] = [
            listing for listing in query.ranges() if listing is not ListingRange.AWAITING
        ]
        rest, after = self._merged_page(
            partner_id, query, now, position, limit=query.page_size - len(listed),
            ranges=others, skip=awaits_answer,
        )  # fmt: skip
        return listed + rest, (None if after is None else {"awaiting": DONE, **after})

    # -- newest first: merge the ranges in key order -------------------------------------------

    def _merged_page(
        self,
        partner_id: str,
        query: LeadQuery,
        now: datetime,
        position: Position,
        *,
        limit: int | None = None,
        ranges: list[ListingRange] | None = None,
        skip: Callable[[Lead], bool] | None = None,
    ) -> Paged:
        filters = query.filters(now, self._policy)
        saved = position.get("ranges", {})
        view = View(query.view)
        cursors = {listing: RangeCursor.from_token(saved.get(listing.value))
                   for listing in (query.ranges() if ranges is None else ranges)}  # fmt: skip
        keep = None if skip is None else (lambda item: not skip(item.lead))
        wanted = query.page_size if limit is None else limit
        size = _read_size(wanted, len(cursors))
        listed: list[Lead] = []
        while len(listed) < wanted:
            for listing, cursor in cursors.items():
                cursor.fill(self._range_fetch(partner_id, view, listing, filters, size), keep)
            candidates = [cursor for cursor in cursors.values() if cursor.buffer]
            if not candidates:
                break
            newest = min(candidates, key=lambda cursor: _list_order(cursor.buffer[0].key))
            listed.append(newest.pop().lead)
        places = {listing.value: cursor.to_token() for listing, cursor in cursors.items()}
        finished = all(place == DONE for place in places.values())
        return listed, (None if finished else {"ranges": places})

    def _range_fetch(
        self, partner_id: str, view: View, listing: ListingRange, filters: LeadFilter, limit: int
    ) -> Callable[[Resume | None], LeadBatch]:
        def fetch(resume: Resume | None) -> LeadBatch:
            return self._lister.page(
                partner_id, view, listing=listing, filters=filters, resume=resume, limit=limit
            )

        return fetch

    # -- other sorts and favourites: the filtered set, sorted in memory ------------------------

    def _sorted_page(
        self,
        partner_id: str,
        favorite_ids: list[str],
        query: LeadQuery,
        now: datetime,
        position: Position,
    ) -> Paged:
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
        elif query.term is not None:
            search = SearchPages(self._lister, partner_id, query, term=query.term, filters=filters)
            leads = list(_every_page(search.page))
        else:
            leads = list(self._every(partner_id, View(query.view), query, filters))
        if query.sort is not None or query.view == "favorites":
            leads.sort(key=sort_key(query.order), reverse=query.order.startswith("-"))
        return leads

    def _every(
        self, partner_id: str, view: View, query: LeadQuery, filters: LeadFilter
    ) -> Iterator[Lead]:
        for listing in query.ranges():
            resume: Resume | None = None
            while True:
                batch = self._lister.page(
                    partner_id, view, listing=listing, filters=filters,
                    resume=resume, limit=_SCAN_PAGE,
                )  # fmt: skip
                yield from (item.lead for item in batch.items)
                if batch.resume is None:
                    break
                resume = batch.resume


def _may_await(query: LeadQuery) -> bool:
    """Whether the query can select a lead waiting for an answer at all: an active Received
    one (whichever ranges its copies are read from)."""
    return query.outcome is None and query.status in (None, LeadStatus.RECEIVED)


def _in_memory(query: LeadQuery) -> bool:
    """Orders no index keeps: favourites, a search sorted otherwise, the other sorts. (Newest
    first, respondBy and a search in its own order stream page by page, exports included.)"""
    if query.view == "favorites":
        return True
    if query.term is not None:
        return query.sort is not None
    return query.order not in ("-createdAt", "respondBy")


def _every_page(page: Callable[[Position], Paged]) -> Iterator[Lead]:
    position: Position | None = {}
    while position is not None:
        leads, position = page(position)
        yield from leads


def _list_order(key: str) -> str:
    """`U|view|<newest-first>|id`, `A|…` and `Z|…` compare by what follows the view."""
    return key.split("|", 2)[2]


def _read_size(wanted: int, ranges: int) -> int:
    """How many copies to ask each range for at a time, so that a page of `wanted` leads
    examines at most twice that many: each range leaves at most one read's worth unlisted.
    Two ranges may each read the whole page at once (two queries); three read thirds."""
    if ranges <= 2:
        return max(wanted, 1)
    return max(wanted // ranges, 1)
