"""The reminder step of the lead aggregate, and the due rows that follow it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.adapters import lead_rows as rows
from shared.domain.lead_policy import LeadPolicy
from tests.support.leads import make_lead

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_remind_at_is_the_reminder_window_before_respond_by() -> None:
    lead = make_lead("p", at=T0)
    assert (lead.respond_by, lead.remind_at) == (T0 + timedelta(days=14), T0 + timedelta(days=12))


def test_a_window_shorter_than_the_reminder_warns_as_soon_as_action_is_required() -> None:
    policy = LeadPolicy(respond_window=timedelta(hours=24), reminder_before=timedelta(hours=48))
    lead = make_lead("p", at=T0, policy=policy)
    assert lead.remind_at == T0
    assert lead.remind(T0)


def test_a_lead_is_reminded_once_and_then_leaves_the_reminder_index() -> None:
    lead = make_lead("p", at=T0)
    remind_at = T0 + timedelta(days=12)
    assert [key[:2] for key in rows.due_keys(lead)] == ["E|", "R|"]
    assert not lead.remind(remind_at - timedelta(microseconds=1))
    assert lead.remind(remind_at)
    assert not lead.remind(remind_at + timedelta(hours=1))
    assert lead.reminded_at == remind_at
    assert [key[:2] for key in rows.due_keys(lead)] == ["E|"]  # still due to expire


def test_no_reminder_at_or_after_respond_by() -> None:
    lead = make_lead("p", at=T0)
    assert not lead.remind(T0 + timedelta(days=14))
    assert lead.reminded_at is None


def test_informational_leads_are_never_reminded() -> None:
    lead = make_lead("p", at=T0, contact_me=False)
    assert lead.remind_at is None
    assert not lead.remind(T0 + timedelta(days=13))
    assert [key[:2] for key in rows.due_keys(lead)] == ["G|"]
