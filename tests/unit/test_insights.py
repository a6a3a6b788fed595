"""Insights: figures over hand-made leads; the window and reads of the use case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shared.domain.errors import Forbidden, InvalidInput
from shared.domain.lead import MARKETPLACE, Actor, Lead, LeadDetails
from shared.domain.lead_parts import Closure, Deal, Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    LeadStatus,
    LeadType,
    Outcome,
    Quality,
    QualityRating,
    ReasonCode,
    View,
)
from shared.domain.model import parse_model
from shared.domain.principal import Principal
from shared.services.insights import PartnerInsights, WonValue, summarise
from shared.services.insights_query import InsightsQuery
from shared.services.lead_matching import awaits_answer, matches
from shared.services.ports import LeadBatch, LeadFilter, ListedLead, ListingRange, Resume
from tests.unit.fakes import SteppingClock

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ALEX = Actor("Alex Admin", "u-1")
POLICY = LeadPolicy()
ADMIN = Principal("u-1", frozenset({"Referrals.Admin"}), partner_id="p")
_numbers = iter(range(1_000_000))


def _lead(
    *, contact_me: bool = True, at: datetime = T0, view: View = View.MARKETPLACE, test: bool = False
) -> Lead:
    details = LeadDetails(
        view=view,
        lead_type=LeadType.OFFER,
        interaction=Interaction(
            action_code="PLT" if contact_me else "INS",
            call_to_action=CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW,
            at=at,
        ),
        customer=Customer(email="m@f.example", company="Fabrikam", country="DE"),
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=contact_me,
        contact_requested=contact_me,
        is_test=test,
    )
    return Lead.receive(
        lead_id=f"l{next(_numbers)}", partner_id="p", dedup_key="d", details=details,
        actor=MARKETPLACE, now=at, policy=POLICY,
    )  # fmt: skip


def _accepted(after: timedelta, deal: Deal | None = None) -> Lead:
    lead = _lead()
    deal = deal or Deal(name="Deal", estimated_value=Decimal(100), currency="EUR")
    lead.accept(deal, team=[], contacts=[], actor=ALEX, now=T0 + after)
    return lead


def _won(after: timedelta, value: Decimal | None, deal: Deal | None = None) -> Lead:
    lead = _accepted(after, deal)
    lead.win(value=value, notes=None, actor=ALEX, now=T0 + after + timedelta(days=3))
    return lead


def _funnel() -> list[Lead]:
    hour = timedelta(hours=1)
    lost = _accepted(4 * hour)
    lost.lose(Closure(reason=ReasonCode.BUDGET_NOT_ADEQUATE), value=None, actor=ALEX, now=T0)
    declined = _lead()
    declined.decline(Closure(reason=ReasonCode.NOT_A_CUSTOMER), actor=ALEX, now=T0 + 6 * hour)
    expired = _lead()
    assert expired.expire(T0 + timedelta(days=14))
    return [
        _won(2 * hour, Decimal("1000.50")),
        lost,
        declined,
        expired,
        _lead(),  # still waiting for an answer
        _lead(contact_me=False),  # informational: never answered, never counted as such
        _won(1 * hour, Decimal(5), Deal(name="No currency")),
        _won(3 * hour, None, Deal(name="No value")),  # counts in the win rate only
        _accepted(8 * hour),
    ]


def test_every_figure_over_a_funnel() -> None:
    end = T0 + timedelta(days=30)
    insights = summarise(_funnel(), created_from=T0, created_to=end)
    assert (insights.created_from, insights.created_to, insights.leads) == (T0, end, 9)
    assert insights.by_status == {
        LeadStatus.RECEIVED: 2, LeadStatus.ACCEPTED: 1, LeadStatus.ARCHIVED: 6,
    }  # fmt: skip
    assert insights.by_outcome == {
        Outcome.WON: 3, Outcome.LOST: 1, Outcome.DECLINED: 1, Outcome.EXPIRED: 1,
        Outcome.AGED_OUT: 0,
    }  # fmt: skip
    assert insights.accepted == 5
    assert insights.acceptance_rate == pytest.approx(5 / 7)
    # Answers after 1, 2, 3, 4, 6 and 8 hours: the median is between 3 and 4 hours.
    assert insights.first_actions == 6
    assert insights.median_seconds_to_first_action == 3.5 * 3600
    assert insights.win_rate == 0.75
    assert insights.won_value == [
        WonValue(currency=None, value=Decimal(5), deals=1),
        WonValue(currency="EUR", value=Decimal("1000.50"), deals=1),
    ]
    assert insights.decline_reasons[ReasonCode.NOT_A_CUSTOMER] == 1
    assert sum(insights.decline_reasons.values()) == 1
    assert insights.lost_reasons[ReasonCode.BUDGET_NOT_ADEQUATE] == 1
    assert sum(insights.lost_reasons.values()) == 1
    assert insights.expired == 1


def test_won_values_add_up_per_currency() -> None:
    leads = [_won(timedelta(hours=1), Decimal(v)) for v in ("10", "20.25")]
    leads.append(_won(timedelta(hours=1), Decimal(7), Deal(name="x", currency="USD")))
    insights = summarise(leads, created_from=T0, created_to=T0)
    assert [(w.currency, w.value, w.deals) for w in insights.won_value] == [
        ("EUR", Decimal("30.25"), 2),
        ("USD", Decimal(7), 1),
    ]


def test_no_leads_means_no_rates_and_zero_counts() -> None:
    insights = summarise([], created_from=T0, created_to=T0)
    assert insights.leads == 0
    assert (insights.acceptance_rate, insights.win_rate) == (None, None)
    assert insights.median_seconds_to_first_action is None
    assert set(insights.by_outcome.values()) == {0}
    assert len(insights.decline_reasons) == len(ReasonCode)
    assert insights.won_value == []


def test_time_to_first_action_counts_from_when_a_response_was_needed() -> None:
    lead = _lead(contact_me=False)  # Get it now: informational, nothing to answer yet
    contact_me = Interaction(
        action_code="PLT", call_to_action=CallToAction.CONTACT_ME, at=T0 + timedelta(hours=10)
    )
    assert lead.add_stage(contact_me, requires_action=True, actor=MARKETPLACE, policy=POLICY)
    lead.accept(Deal(name="x"), team=[], contacts=[], actor=ALEX, now=T0 + timedelta(hours=12))
    insights = summarise([lead], created_from=T0, created_to=T0)
    assert insights.median_seconds_to_first_action == 2 * 3600


# -- the use case: window, reads, tenancy ---------------------------------------------------------


@dataclass
class PagingLister:
    """Keeps the port's contract: a range per view and active/archived, filters applied, short
    pages chained by `resume`. `placed` can put one lead in both ranges (a move mid-read)."""

    placed: list[tuple[ListingRange, Lead]] = field(default_factory=list)
    calls: list[tuple[str, View, ListingRange, LeadFilter]] = field(default_factory=list)
    page_size: int = 2

    def add(self, *leads: Lead) -> None:
        self.placed += [(_range_of(lead), lead) for lead in leads]

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
        self.calls.append((partner_id, view, listing, filters))
        found = [
            lead
            for in_range, lead in self.placed
            if (lead.partner_id, lead.view, in_range) == (partner_id, view, listing)
            and matches(lead, filters)
        ]
        start = int(resume.after) if resume and resume.after else 0
        end = start + min(limit, self.page_size)
        items = [ListedLead(key=lead.id, lead=lead) for lead in found[start:end]]
        return LeadBatch(items, Resume(after=str(end)) if end < len(found) else None)

    def awaiting_page(self, partner_id: str, view: View, **_: Any) -> LeadBatch:
        raise AssertionError("insights read ranges, never the expiry index")

    def search_page(self, partner_id: str, view: View, **_: Any) -> LeadBatch:
        raise AssertionError("insights read ranges, never the search index")


def _service(lister: PagingLister, now: datetime = T0 + timedelta(days=30)) -> PartnerInsights:
    return PartnerInsights(lister=lister, clock=SteppingClock(now))


def _query(**params: str) -> InsightsQuery:
    return parse_model(InsightsQuery, params)


def test_reads_both_views_active_and_archived_through_the_created_window() -> None:
    lister = PagingLister()
    lister.add(*_funnel(), _lead(view=View.QUALIFIED), _lead(test=True))
    insights = _service(lister).report(ADMIN, _query(**{"from": "2026-11-01", "to": "2026-11-30"}))
    assert insights.leads == 10  # the funnel and the qualified lead; the test lead is left out
    ranges = {(view, listing) for _, view, listing, _ in lister.calls}
    assert ranges == {(v, listing) for v in View for listing in ListingRange}
    assert {partner for partner, *_ in lister.calls} == {"p"}
    filters = lister.calls[0][3]
    assert filters.created_from == datetime(2026, 11, 1, tzinfo=UTC)
    assert filters.created_to == datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=UTC)
    assert not filters.include_test


def test_the_default_window_is_the_last_90_days() -> None:
    now = T0 + timedelta(days=200)
    lister = PagingLister()
    lister.add(_lead(at=now - timedelta(days=91)), _lead(at=now - timedelta(days=89)))
    insights = _service(lister, now).report(ADMIN, _query())
    assert insights.leads == 1
    assert (insights.created_from, insights.created_to) == (now - timedelta(days=90), now)
    only_to = _service(PagingLister(), now).report(ADMIN, _query(to="2026-12-31T00:00:00Z"))
    assert only_to.created_from == datetime(2026, 10, 2, tzinfo=UTC)


def test_a_lead_archived_between_the_reads_counts_once_as_archived() -> None:
    lead = _lead()
    before = lead.model_copy(deep=True)
    lead.decline(Closure(reason=ReasonCode.OTHER), actor=ALEX, now=T0)
    lister = PagingLister(placed=[(ListingRange.AWAITING, before), (ListingRange.ARCHIVED, lead)])
    insights = _service(lister).report(ADMIN, _query(**{"from": "2026-11-01"}))
    assert insights.leads == 1
    assert insights.by_outcome[Outcome.DECLINED] == 1


class MovingLister(PagingLister):
    """Moves a lead into the awaiting range once the active range has been read."""

    def __init__(self, lead: Lead, later: Lead) -> None:
        super().__init__(placed=[(ListingRange.ACTIVE, lead)])
        self._later = later

    def page(self, partner_id: str, view: View, *, listing: ListingRange, **rest: Any) -> LeadBatch:
        batch = super().page(partner_id, view, listing=listing, **rest)
        if listing is ListingRange.ACTIVE and view is self._later.view:
            self.placed = [(ListingRange.AWAITING, self._later)]
        return batch


def test_a_lead_that_starts_to_await_an_answer_between_the_reads_is_counted() -> None:
    informational = _lead(contact_me=False)
    asked = informational.model_copy(deep=True)
    contact_me = Interaction(
        action_code="PLT", call_to_action=CallToAction.CONTACT_ME, at=T0 + timedelta(hours=1)
    )
    assert asked.add_stage(contact_me, requires_action=True, actor=MARKETPLACE, policy=POLICY)
    assert awaits_answer(asked)
    assert not awaits_answer(informational)
    insights = _service(MovingLister(informational, asked)).report(
        ADMIN, _query(**{"from": "2026-11-01"})
    )
    assert insights.leads == 1


@pytest.mark.parametrize(
    ("params", "field_name"),
    [
        ({"from": "2026-11-02", "to": "2026-11-01"}, "from"),
        ({"from": "2027-01-01"}, "from"),  # after now, when `to` is absent
        ({"from": "2026-01-01", "to": "2027-01-02"}, "to"),  # 367 calendar days
        ({"from": "2026-11-01T00:00:00"}, "from"),  # no offset
        ({"since": "2026-11-01"}, "since"),
    ],
)
def test_bad_windows_are_400_naming_the_field(params: dict[str, str], field_name: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        _service(PagingLister()).report(ADMIN, _query(**params))
    assert [error.field for error in raised.value.errors] == [field_name]


def test_366_calendar_days_of_bare_dates_is_the_longest_window() -> None:
    insights = _service(PagingLister()).report(
        ADMIN,
        _query(**{"from": "2028-01-01", "to": "2028-12-31"}),  # a leap year
    )
    assert insights.created_to == datetime(2028, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def test_any_partner_role_reads_and_others_are_refused() -> None:
    user = Principal("u-2", frozenset({"Referrals.User"}), partner_id="p")
    assert _service(PagingLister()).report(user, _query()).leads == 0
    with pytest.raises(Forbidden):
        _service(PagingLister()).report(Principal("s", frozenset({"Vendor.Referrer"})), _query())


def _range_of(lead: Lead) -> ListingRange:
    if lead.is_archived:
        return ListingRange.ARCHIVED
    return ListingRange.AWAITING if awaits_answer(lead) else ListingRange.ACTIVE
