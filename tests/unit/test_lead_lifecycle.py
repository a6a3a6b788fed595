"""The lead's lifecycle rules (docs/behaviour.md, "Lifecycle"), on the aggregate alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.errors import Conflict
from shared.domain.lead import MARKETPLACE, Actor, Lead, LeadDetails, LeadEventKind
from shared.domain.lead_parts import Closure, Deal, Interaction, Person
from shared.domain.lead_policy import LeadPolicy, add_calendar_months
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    EmailValidity,
    LeadStatus,
    LeadType,
    Outcome,
    Quality,
    QualityRating,
    ReasonCode,
    View,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALEX = Actor("Alex Admin", "u-1")
POLICY = LeadPolicy()


def _lead(*, contact_me: bool = True, at: datetime = T0) -> Lead:
    details = LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.OFFER,
        interaction=Interaction(
            action_code="PLT" if contact_me else "INS",
            call_to_action=CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW,
            at=at,
        ),
        customer=Customer(
            first_name="Mia", last_name="S", email="m@f.example", phone="+4930901820",
            company="Fabrikam", title="CTO", country="DE",
        ),
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=contact_me,
        contact_requested=contact_me,
    )  # fmt: skip
    return Lead.receive(
        lead_id="l1", partner_id="p", dedup_key="d", details=details,
        actor=MARKETPLACE, now=at, policy=POLICY,
    )  # fmt: skip


def test_received_accepted_won() -> None:
    lead = _lead()
    lead.accept(Deal(name="Deal"), team=[Person(name="Jo")], contacts=[], actor=ALEX, now=T0)
    assert (lead.status, lead.accepted_at) == (LeadStatus.ACCEPTED, T0)
    lead.win(value=Decimal(10), notes="Signed", actor=ALEX, now=T0)
    assert (lead.status, lead.outcome) == (LeadStatus.ARCHIVED, Outcome.WON)
    assert [entry.action for entry in lead.history] == ["Lead received", "Accepted", "Won"]
    assert lead.history[-1].actor_id == "u-1"


def _accepted_deal() -> Lead:
    lead = _lead()
    deal = Deal(name="Deal", estimated_value=Decimal(50000), currency="EUR", notes="Wants SSO")
    lead.accept(deal, team=[], contacts=[], actor=ALEX, now=T0)
    return lead


def test_winning_keeps_the_deal_and_records_the_closing_apart() -> None:
    lead = _accepted_deal()
    lead.win(value=Decimal(60000), notes="Signed for 3 years", actor=ALEX, now=T0)
    assert lead.deal is not None
    assert (lead.deal.notes, lead.deal.estimated_value) == ("Wants SSO", Decimal(50000))
    assert lead.closing is not None
    assert (lead.closing.notes, lead.closing.value, lead.closing.currency) == (
        "Signed for 3 years", Decimal(60000), "EUR",
    )  # fmt: skip
    assert lead.history[-1].detail == "Final value 60000 EUR · Signed for 3 years"


def test_losing_keeps_the_deal_and_records_reason_notes_and_value() -> None:
    lead = _accepted_deal()
    closure = Closure(reason=ReasonCode.BUDGET_NOT_ADEQUATE, notes="Budget cut")
    lead.lose(closure, value=Decimal("0.5"), currency="USD", actor=ALEX, now=T0)
    assert lead.deal is not None
    assert lead.deal.notes == "Wants SSO"
    assert lead.closing is not None
    assert (lead.closing.notes, lead.closing.currency) == ("Budget cut", "USD")
    assert lead.history[-1].detail == "BudgetNotAdequate · Final value 0.5 USD · Budget cut"


def test_received_declined_records_the_reason() -> None:
    lead = _lead()
    lead.decline(Closure(reason=ReasonCode.OTHER, notes="n"), actor=ALEX, now=T0)
    assert lead.outcome is Outcome.DECLINED
    assert lead.decline_reason == Closure(reason=ReasonCode.OTHER, notes="n")
    assert LeadEventKind.DECLINED in {event.kind for event in lead.pull_events()}


@pytest.mark.parametrize(
    "act",
    [
        lambda lead: lead.accept(Deal(name="x"), team=[], contacts=[], actor=ALEX, now=T0),
        lambda lead: lead.decline(Closure(reason=ReasonCode.OTHER), actor=ALEX, now=T0),
        lambda lead: lead.edit(Deal(name="x"), team=None, actor=ALEX, now=T0),
        lambda lead: lead.add_team_member(Person(name="x"), actor=ALEX, now=T0),
        lambda lead: lead.win(value=None, notes=None, actor=ALEX, now=T0),
        lambda lead: lead.lose(Closure(reason=ReasonCode.OTHER), value=None, actor=ALEX, now=T0),
    ],
)
def test_nothing_can_be_done_to_an_archived_lead(act: object) -> None:
    lead = _lead()
    lead.decline(Closure(reason=ReasonCode.OTHER), actor=ALEX, now=T0)
    assert callable(act)
    with pytest.raises(Conflict, match=r"Archived \(Declined\)"):
        act(lead)


def test_deal_work_needs_an_accepted_lead() -> None:
    lead = _lead()
    with pytest.raises(Conflict, match="only when Accepted"):
        lead.win(value=None, notes=None, actor=ALEX, now=T0)


def test_informational_leads_need_no_response() -> None:
    lead = _lead(contact_me=False)
    with pytest.raises(Conflict, match="informational"):
        lead.accept(Deal(name="x"), team=[], contacts=[], actor=ALEX, now=T0)


def test_expiry_is_exact_to_the_second_and_forgets_contact() -> None:
    lead = _lead()
    respond_by = T0 + timedelta(days=14)
    assert lead.respond_by == respond_by
    assert not lead.expire(respond_by - timedelta(seconds=1))
    assert lead.expire(respond_by)
    assert (lead.status, lead.outcome) == (LeadStatus.ARCHIVED, Outcome.EXPIRED)
    customer = lead.customer
    assert (customer.first_name, customer.last_name, customer.email, customer.phone) == (
        None, None, None, None,
    )  # fmt: skip
    assert customer.title is None
    assert (customer.company, customer.country) == ("Fabrikam", "DE")
    assert not lead.shows_contact
    assert not lead.expire(respond_by + timedelta(days=1))  # once


def test_an_accepted_lead_never_expires() -> None:
    lead = _lead()
    lead.accept(Deal(name="x"), team=[], contacts=[], actor=ALEX, now=T0)
    assert not lead.expire(T0 + timedelta(days=30))


def test_informational_leads_age_out_after_six_calendar_months() -> None:
    end_of_august = datetime(2026, 8, 31, 12, 0, tzinfo=UTC)
    lead = _lead(contact_me=False, at=end_of_august)
    assert lead.archive_at == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    assert not lead.age_out(datetime(2027, 2, 28, 11, 59, 59, tzinfo=UTC))
    assert lead.age_out(datetime(2027, 2, 28, 12, 0, tzinfo=UTC))
    assert lead.outcome is Outcome.AGED_OUT
    assert lead.customer.email is None


def test_calendar_months_clamp_to_month_end_and_leap_years() -> None:
    assert add_calendar_months(datetime(2027, 8, 31, tzinfo=UTC), 6).day == 29  # 2028 is leap
    assert add_calendar_months(datetime(2026, 1, 31, tzinfo=UTC), 1).day == 28
    assert add_calendar_months(datetime(2026, 12, 15, tzinfo=UTC), 6).month == 6


def test_hot_for_seventy_two_hours() -> None:
    assert POLICY.is_hot(_lead(), T0 + timedelta(hours=71))
    assert not POLICY.is_hot(_lead(), T0 + timedelta(hours=72))
    assert not POLICY.is_hot(_lead(contact_me=False), T0)


def test_hot_only_while_the_lead_needs_an_answer() -> None:
    accepted = _accepted_deal()
    assert not POLICY.is_hot(accepted, T0)
    assert POLICY.hot_until(accepted) is None
    spam = _lead().model_copy(update={"email_validity": EmailValidity.SPAM})
    assert not POLICY.is_hot(spam, T0)
    assert POLICY.hot_until(spam) is None
    assert POLICY.hot_until(_lead()) == T0 + timedelta(hours=72)
