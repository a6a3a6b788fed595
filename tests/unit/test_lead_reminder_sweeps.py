"""Six-month archiving and expiry reminders as use cases, on fakes of our own ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.lead import Actor
from shared.domain.lead_parts import Deal
from shared.domain.lead_values import LeadStatus, Outcome
from shared.domain.notification import NotificationKind
from shared.services.lead_sweeps import AGE_OUT
from tests.support.leads import make_lead
from tests.unit.job_fakes import SweepWorld

T0 = datetime(2026, 11, 2, 9, 30, 15, tzinfo=UTC)
P = "contoso"
SECOND = timedelta(seconds=1)
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

    assert world.remind(remind_at - SECOND)["reminded"] == 0
    assert world.remind(remind_at)["reminded"] == 1
    assert world.remind(remind_at + timedelta(hours=1))["reminded"] == 0
    assert world.remind(remind_at + timedelta(hours=47))["reminded"] == 0

    (owed,) = world.leads.outbox
    assert (owed.kind, owed.lead_id) == (NotificationKind.EXPIRY_REMINDER, lead.id)
    reminded = world.stored(lead)
    assert (reminded.status, reminded.reminded_at) == (LeadStatus.RECEIVED, remind_at)
    assert reminded.history[-1].action == "Reminded"


def test_no_reminder_once_the_lead_is_due_to_expire(world: SweepWorld) -> None:
    world.add(make_lead(P, at=T0))
    respond_by = T0 + timedelta(days=14)
    assert world.remind(respond_by) == {
        "reminded": 0,
        "skipped": 1,  # the expiry's business now
        "conflicts": 0,
        "notificationsDeferred": 0,
        "more": 0,
    }
    world.due.rows_read = 0
    assert world.remind(respond_by + SECOND)["skipped"] == 0
    assert world.due.rows_read == 0  # past the look-back: the reminder range does not reach it
    assert world.leads.outbox == []


def test_a_handled_lead_gets_no_reminder(world: SweepWorld) -> None:
    lead = make_lead(P, at=T0)
    lead.accept(Deal(name="Fleet"), team=[], contacts=[], actor=ALEX, now=T0)
    world.add(lead)
    assert world.remind(T0 + timedelta(days=13))["reminded"] == 0
    assert world.leads.outbox == []


def test_one_run_owes_one_reminder_listing_every_lead_it_reminded(world: SweepWorld) -> None:
    leads = [world.add(make_lead(P, at=T0 + i * SECOND, company=f"Co {i}")) for i in range(24)]
    test_lead = world.add(make_lead(P, at=T0, is_test=True))
    as_of = T0 + timedelta(days=12, hours=1)

    counts = world.remind(as_of)

    assert (counts["reminded"], counts["conflicts"]) == (25, 0)
    (owed,) = world.leads.outbox  # ONE email owed, written with the first lead's reminder
    assert owed.kind is NotificationKind.EXPIRY_REMINDER
    assert sorted(owed.lead_ids) == sorted(lead.id for lead in leads)  # no test lead
    assert test_lead.id not in owed.lead_ids
    assert world.publisher.published == [owed]
    for lead in leads:  # each lead records the reminder at the notification's own instant
        assert world.stored(lead).reminded_at == owed.created_at
    assert world.remind(as_of + timedelta(hours=1))["reminded"] == 0
    assert len(world.leads.outbox) == 1


def test_a_lead_that_keeps_changing_is_left_to_the_next_run(world: SweepWorld) -> None:
    first = world.add(make_lead(P, at=T0))
    second = world.add(make_lead(P, at=T0 + SECOND))
    as_of = T0 + timedelta(days=12, hours=1)
    world.due.conflicts_to_inject = 1  # the first commit loses a race, then its re-read wins

    counts = world.remind(as_of)

    assert (counts["reminded"], counts["conflicts"]) == (2, 0)
    (owed,) = world.leads.outbox
    assert set(owed.lead_ids) == {first.id, second.id}
    assert world.stored(first).reminded_at == world.stored(second).reminded_at == owed.created_at


def test_a_run_capped_by_its_limit_says_there_is_more(world: SweepWorld) -> None:
    for i in range(3):
        world.add(make_lead(P, at=T0 + i * SECOND))
    as_of = T0 + timedelta(days=12, hours=1)
    assert world.remind(as_of, limit=2)["more"] == 1
    world.now = as_of + timedelta(minutes=1)  # the next batch: another instant, another email
    assert world.remind(as_of)["reminded"] == 1
    assert [len(owed.lead_ids) for owed in world.leads.outbox] == [2, 1]
