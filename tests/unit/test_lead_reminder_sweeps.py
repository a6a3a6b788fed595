"""Six-month archiving and expiry reminders as use cases, on fakes of our own ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.lead import Actor
from shared.domain.lead_parts import Deal
from shared.domain.lead_values import LeadStatus, Outcome
from shared.domain.notification import NotificationKind
from shared.services.lead_sweeps import AGE_OUT, remind_rule
from tests.support.leads import make_lead
from tests.unit.job_fakes import SweepWorld

T0 = datetime(2026, 11, 2, 9, 30, 15, tzinfo=UTC)
P = "contoso"
SECOND = timedelta(seconds=1)
REMIND = remind_rule(timedelta(hours=48))
ALEX = Actor("Alex Admin", "u-1")


@pytest.fixture
def world() -> SweepWorld:
    return SweepWorld()


def test_an_informational_lead_ages_out_after_six_calendar_months(world: SweepWorld) -> None:
    aug_31 = datetime(2026, 8, 31, 10, 0, tzinfo=UTC)
    lead = world.add(make_lead(P, at=aug_31, contact_me=False))
    feb_28 = datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
    assert lead.archive_at == feb_28

    assert world.sweep(AGE_OUT, feb_28 - SECOND)["archived"] == 0
    assert world.sweep(AGE_OUT, feb_28)["archived"] == 1
    aged = world.stored(lead)
    assert (aged.status, aged.outcome) == (LeadStatus.ARCHIVED, Outcome.AGED_OUT)
    assert aged.customer.email is None
    assert world.leads.outbox == []  # no email for informational leads


def test_a_reminder_is_sent_once_48_hours_before_expiry(world: SweepWorld) -> None:
    lead = world.add(make_lead(P, at=T0))
    remind_at = T0 + timedelta(days=12)
    assert world.stored(lead).remind_at == remind_at

    assert world.sweep(REMIND, remind_at - SECOND)["reminded"] == 0
    assert world.sweep(REMIND, remind_at)["reminded"] == 1
    assert world.sweep(REMIND, remind_at + timedelta(hours=1))["reminded"] == 0
    assert world.sweep(REMIND, remind_at + timedelta(hours=47))["reminded"] == 0

    (owed,) = world.leads.outbox
    assert (owed.kind, owed.lead_id) == (NotificationKind.EXPIRY_REMINDER, lead.id)
    reminded = world.stored(lead)
    assert (reminded.status, reminded.reminded_at) == (LeadStatus.RECEIVED, remind_at)
    assert reminded.history[-1].action == "Reminded"


def test_no_reminder_once_the_lead_is_due_to_expire(world: SweepWorld) -> None:
    world.add(make_lead(P, at=T0))
    respond_by = T0 + timedelta(days=14)
    assert world.sweep(REMIND, respond_by) == {
        "reminded": 0,
        "skipped": 1,  # the expiry's business now
        "conflicts": 0,
        "notificationsDeferred": 0,
        "more": 0,
    }
    world.due.rows_read = 0
    assert world.sweep(REMIND, respond_by + SECOND)["skipped"] == 0
    assert world.due.rows_read == 0  # past the look-back: the reminder range does not reach it
    assert world.leads.outbox == []


def test_a_handled_lead_gets_no_reminder(world: SweepWorld) -> None:
    lead = make_lead(P, at=T0)
    lead.accept(Deal(name="Fleet"), team=[], contacts=[], actor=ALEX, now=T0)
    world.add(lead)
    assert world.sweep(REMIND, T0 + timedelta(days=13))["reminded"] == 0
    assert world.leads.outbox == []
