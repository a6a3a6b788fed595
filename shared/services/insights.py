"""A partner's insights (`GET /api/insights`): how the leads that arrived in a window went.

Responsiveness (how often and how fast the partner answers) is what the marketplace ranks partners
by, so the partner sees its own: acceptance rate and the median time to a first answer, next to
its funnel (status, outcome, win rate, won value) and why it declined or lost leads.

`summarise` is pure (any iterable of leads); `PartnerInsights` feeds it from the listing copies
of both views, active and archived, through the created-window key range (test leads left out).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from pydantic import Field

from shared.domain.lead import Lead, LeadEventKind
from shared.domain.lead_values import LeadStatus, Outcome, ReasonCode, View
from shared.domain.model import ApiModel
from shared.domain.principal import PARTNER_READERS, Principal
from shared.services.insights_query import InsightsQuery
from shared.services.ports import Clock, LeadFilter, LeadLister, ListingRange, Resume

# The history labels `Lead.accept` and `Lead.decline` record: the partner's first answer.
_FIRST_ACTIONS = frozenset({LeadEventKind.ACCEPTED.value, LeadEventKind.DECLINED.value})
_READ_PAGE = 1000  # the most Table storage returns in one page


class WonValue(ApiModel):
    currency: str | None = Field(description="ISO 4217; null: the deal never named one.")
    value: Decimal
    deals: int


class Insights(ApiModel):
    """How the partner's leads created in [createdFrom, createdTo] went (test leads excluded)."""

    created_from: datetime
    created_to: datetime
    leads: int
    by_status: dict[LeadStatus, int]
    by_outcome: dict[Outcome, int]
    accepted: int = Field(description="Leads accepted, whatever happened to them since.")
    acceptance_rate: float | None = Field(
        description="accepted ÷ (accepted + declined + expired); null when none of these."
    )
    first_actions: int = Field(description="Leads accepted or declined: what the median is over.")
    median_seconds_to_first_action: float | None = Field(
        description="From arrival (when the lead first needed a response) to accept or decline."
    )
    win_rate: float | None = Field(description="won ÷ (won + lost); null when none closed.")
    won_value: list[WonValue] = Field(description="Won deals' values by currency, unconverted.")
    decline_reasons: dict[ReasonCode, int]
    lost_reasons: dict[ReasonCode, int]
    expired: int


def summarise(leads: Iterable[Lead], *, created_from: datetime, created_to: datetime) -> Insights:
    statuses: Counter[LeadStatus] = Counter()
    outcomes: Counter[Outcome] = Counter()
    declines: Counter[ReasonCode] = Counter()
    losses: Counter[ReasonCode] = Counter()
    won: dict[str | None, tuple[Decimal, int]] = {}
    waits: list[float] = []
    accepted = 0
    for lead in leads:
        statuses[lead.status] += 1
        if lead.outcome is not None:
            outcomes[lead.outcome] += 1
        if lead.requires_action and lead.accepted_at is not None:
            accepted += 1
        if lead.decline_reason is not None:
            declines[lead.decline_reason.reason] += 1
        if lead.lost_reason is not None:
            losses[lead.lost_reason.reason] += 1
        if lead.outcome is Outcome.WON:
            _add_won(won, lead)
        wait = seconds_to_first_action(lead)
        if wait is not None:
            waits.append(wait)
    answered = accepted + outcomes[Outcome.DECLINED] + outcomes[Outcome.EXPIRED]
    closed = outcomes[Outcome.WON] + outcomes[Outcome.LOST]
    return Insights(
        created_from=created_from,
        created_to=created_to,
        leads=statuses.total(),
        by_status={status: statuses[status] for status in LeadStatus},
        by_outcome={outcome: outcomes[outcome] for outcome in Outcome},
        accepted=accepted,
        acceptance_rate=accepted / answered if answered else None,
        first_actions=len(waits),
        median_seconds_to_first_action=statistics.median(waits) if waits else None,
        win_rate=outcomes[Outcome.WON] / closed if closed else None,
        won_value=[
            WonValue(currency=currency, value=value, deals=deals)
            for currency, (value, deals) in sorted(won.items(), key=lambda item: item[0] or "")
        ],
        decline_reasons={reason: declines[reason] for reason in ReasonCode},
        lost_reasons={reason: losses[reason] for reason in ReasonCode},
        expired=outcomes[Outcome.EXPIRED],
    )


def seconds_to_first_action(lead: Lead) -> float | None:
    """From when the lead needed a response (its arrival, or the later Contact-me stage that made
    an informational lead actionable: it could not be answered before) to the first accept or
    decline in its history; None if it has none."""
    arrived = lead.action_required_since or lead.created_at
    answered = next((entry.at for entry in lead.history if entry.action in _FIRST_ACTIONS), None)
    return None if answered is None else (answered - arrived).total_seconds()


def _add_won(totals: dict[str | None, tuple[Decimal, int]], lead: Lead) -> None:
    """The final value when the partner gave one at closing, else the deal's estimate."""
    closing, deal = lead.closing, lead.deal
    if closing is not None and closing.value is not None:
        amount, currency = closing.value, closing.currency
    elif deal is not None and deal.estimated_value is not None:
        amount, currency = deal.estimated_value, deal.currency
    else:
        return  # a win without a value counts in the win rate, not in the value
    value, deals = totals.get(currency, (Decimal(0), 0))
    totals[currency] = (value + amount, deals + 1)


class PartnerInsights:
    def __init__(self, *, lister: LeadLister, clock: Clock) -> None:
        self._lister = lister
        self._clock = clock

    def report(self, principal: Principal, query: InsightsQuery) -> Insights:
        partner_id = principal.require_partner(PARTNER_READERS)
        start, end = query.window(self._clock.now())
        leads = self._leads(partner_id, LeadFilter(created_from=start, created_to=end))
        return summarise(leads, created_from=start, created_to=end)

    def _leads(self, partner_id: str, filters: LeadFilter) -> Iterator[Lead]:
        # Active first, kept by id; then archived, streamed. A lead that moves on between two
        # reads is met twice and counted once, in its later state; reading the archive first
        # would miss a lead archived meanwhile in both. A lead moves from awaiting to active
        # (accepted) and back (an informational lead asks to be contacted), so the small
        # awaiting range is read on both sides of the active one. Only the active leads are
        # held, never the archive.
        active = {
            lead.id: lead
            for listing in (ListingRange.AWAITING, ListingRange.ACTIVE, ListingRange.AWAITING)
            for view in View
            for lead in self._range(partner_id, view, listing=listing, filters=filters)
        }
        for view in View:
            for lead in self._range(
                partner_id, view, listing=ListingRange.ARCHIVED, filters=filters
            ):
                active.pop(lead.id, None)
                yield lead
        yield from active.values()

    def _range(
        self, partner_id: str, view: View, *, listing: ListingRange, filters: LeadFilter
    ) -> Iterator[Lead]:
        resume: Resume | None = None
        while True:
            batch = self._lister.page(
                partner_id, view, listing=listing, filters=filters, resume=resume,
                limit=_READ_PAGE,
            )  # fmt: skip
            yield from (item.lead for item in batch.items)
            if batch.resume is None:
                return
            resume = batch.resume
