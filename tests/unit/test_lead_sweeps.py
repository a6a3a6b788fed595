"""The expiry sweep as a use case, on fakes of our own ports: boundary, races, the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.clock import FixedClock
from shared.domain.errors import ConcurrentModification, DependencyUnavailable
from shared.domain.lead import Actor, Lead
from shared.domain.lead_parts import Closure, Deal
from shared.domain.lead_values import LeadStatus, Outcome, ReasonCode
from shared.domain.notification import NotificationKind
from shared.services.lead_sweeps import EXPIRE
from shared.services.outbox_relay import OutboxRelay
from shared.services.ports import OutboxEntry
from tests.support.leads import make_lead
from tests.unit.fakes import InMemoryLeadRepository
from tests.unit.job_fakes import StaticPartnerDirectory, SweepWorld

T0 = datetime(2026, 11, 2, 9, 30, 15, tzinfo=UTC)
P = "contoso"
SECOND = timedelta(seconds=1)
ALEX = Actor("Alex Admin", "u-1")


@pytest.fixture
def world() -> SweepWorld:
    return SweepWorld()


def test_a_lead_expires_at_respond_by_to_the_second(world: SweepWorld) -> None:
    lead = world.add(make_lead(P, at=T0))
    respond_by = T0 + timedelta(days=14)

    assert world.sweep(EXPIRE, respond_by - SECOND)["expired"] == 0
    assert world.stored(lead).status is LeadStatus.RECEIVED
    assert world.sweep(EXPIRE, respond_by)["expired"] == 1

    expired = world.stored(lead)
    assert (expired.status, expired.outcome, expired.closed_at) == (
        LeadStatus.ARCHIVED,
        Outcome.EXPIRED,
        respond_by,
    )
    customer = expired.customer
    assert (customer.first_name, customer.last_name, customer.email, customer.phone) == (None,) * 4
    assert customer.title is None
    assert expired.history[-1].action == "Expired"
    (owed,) = world.leads.outbox
    assert (owed.kind, owed.lead_id, owed.created_at) == (
        NotificationKind.LEAD_EXPIRED,
        lead.id,
        respond_by,
    )
    assert world.publisher.published == [owed]


def test_expiry_runs_again_without_effect(world: SweepWorld) -> None:
    world.add(make_lead(P, at=T0))
    as_of = T0 + timedelta(days=15)
    assert world.sweep(EXPIRE, as_of)["expired"] == 1
    assert world.sweep(EXPIRE, as_of) == {
        "expired": 0,
        "skipped": 0,
        "conflicts": 0,
        "notificationsDeferred": 0,
        "more": 0,
    }
    assert len(world.leads.outbox) == 1


def test_only_received_action_required_leads_expire(world: SweepWorld) -> None:
    accepted = make_lead(P, at=T0)
    accepted.accept(Deal(name="Fleet"), team=[], contacts=[], actor=ALEX, now=T0)
    declined = make_lead(P, at=T0)
    declined.decline(Closure(reason=ReasonCode.OTHER), actor=ALEX, now=T0)
    for lead in (accepted, declined, make_lead(P, at=T0, contact_me=False)):
        world.add(lead)
    assert world.sweep(EXPIRE, T0 + timedelta(days=400))["expired"] == 0
    assert world.due.rows_read == 0  # they left the expiry index when they left Received


def test_a_lead_accepted_after_the_sweep_read_it_is_not_expired(world: SweepWorld) -> None:
    lead = world.add(make_lead(P, at=T0))
    world.due.conflicts_to_inject = 1  # the copy was read, then the partner accepted it
    fresh = world.stored(lead)
    fresh.accept(Deal(name="Fleet"), team=[], contacts=[], actor=ALEX, now=T0)
    world.leads.save(fresh)

    counts = world.sweep(EXPIRE, T0 + timedelta(days=20))

    assert (counts["expired"], counts["skipped"]) == (0, 0)  # no longer in the index at all
    assert world.stored(lead).status is LeadStatus.ACCEPTED
    assert world.leads.outbox == []


def test_a_lost_race_on_a_still_due_lead_is_retried_on_the_lead_row(world: SweepWorld) -> None:
    lead = world.add(make_lead(P, at=T0))
    world.due.conflicts_to_inject = 1  # e.g. a stage was added after the copy was read

    counts = world.sweep(EXPIRE, T0 + timedelta(days=14))

    assert (counts["expired"], counts["conflicts"]) == (1, 0)
    assert world.stored(lead).outcome is Outcome.EXPIRED
    assert len(world.leads.outbox) == 1


def test_a_lead_still_changing_after_the_retry_is_left_for_the_next_run(world: SweepWorld) -> None:
    world.add(make_lead(P, at=T0))
    world.due.conflicts_to_inject = 1
    world.leads.save = _always_stale  # type: ignore[method-assign]

    counts = world.sweep(EXPIRE, T0 + timedelta(days=14))

    assert (counts["expired"], counts["conflicts"]) == (0, 1)
    assert world.leads.outbox == []


def test_test_leads_expire_without_notifying(world: SweepWorld) -> None:
    world.add(make_lead(P, at=T0, is_test=True))
    assert world.sweep(EXPIRE, T0 + timedelta(days=14))["expired"] == 1
    assert world.leads.outbox == []


def test_the_limit_stops_a_run_and_says_more_is_due(world: SweepWorld) -> None:
    for minute in range(5):
        world.add(make_lead(P, at=T0 + timedelta(minutes=minute)))
    as_of = T0 + timedelta(days=15)
    assert world.sweep(EXPIRE, as_of, limit=2) == {
        "expired": 2,
        "skipped": 0,
        "conflicts": 0,
        "notificationsDeferred": 0,
        "more": 1,
    }
    assert world.sweep(EXPIRE, as_of, limit=3)["more"] == 0  # exactly the rest: nothing after
    assert len(world.leads.outbox) == 5


def test_a_failed_queue_write_is_delivered_once_by_the_relay(world: SweepWorld) -> None:
    lead = world.add(make_lead(P, at=T0))
    world.publisher.failing = True  # the process "crashes" between commit and queue write
    as_of = T0 + timedelta(days=14)

    assert world.sweep(EXPIRE, as_of)["notificationsDeferred"] == 1
    assert world.stored(lead).outcome is Outcome.EXPIRED
    assert world.publisher.published == []

    world.publisher.failing = False
    assert world.sweep(EXPIRE, as_of + timedelta(hours=1))["expired"] == 0  # not again
    outbox = _OutboxOver(world.leads)
    relay = OutboxRelay(
        partners=StaticPartnerDirectory([P]),
        outbox=outbox,
        publisher=world.publisher,
        clock=FixedClock(as_of + timedelta(minutes=3)),
    )
    assert relay.run(as_of + timedelta(minutes=3)) == {"relayed": 1, "failed": 0}
    (sent,) = world.publisher.published
    assert (sent.kind, sent.lead_id) == (NotificationKind.LEAD_EXPIRED, lead.id)


def test_once_the_queue_fails_the_rest_of_the_run_is_left_to_the_relay(world: SweepWorld) -> None:
    for minute in range(3):
        world.add(make_lead(P, at=T0 + timedelta(minutes=minute)))
    attempts: list[int] = []

    def failing(notifications: object) -> None:
        attempts.append(1)
        raise DependencyUnavailable("queue down")

    world.publisher.publish = failing  # type: ignore[method-assign]
    counts = world.sweep(EXPIRE, T0 + timedelta(days=15))
    assert (counts["expired"], counts["notificationsDeferred"]) == (3, 3)
    assert len(attempts) == 1  # not one slow failure per lead
    assert len(world.leads.outbox) == 3


class _OutboxOver:
    """The outbox rows of the fake repository, as the relay sees them."""

    def __init__(self, leads: InMemoryLeadRepository) -> None:
        self._leads = leads

    def pending(self, partner_id: str, due_by: datetime) -> list[OutboxEntry]:
        return [
            OutboxEntry(notification=n, attempts=0, next_relay_at=n.created_at)
            for n in self._leads.outbox
            if n.partner_id == partner_id and n.created_at <= due_by
        ]

    def reschedule(self, entry: OutboxEntry, next_relay_at: datetime) -> None:
        return None


def _always_stale(lead: Lead, **_: object) -> Lead:
    raise ConcurrentModification("stale")


def test_a_replay_as_of_a_future_instant_records_and_notifies_in_real_time(
    world: SweepWorld,
) -> None:
    lead = world.add(make_lead(P, at=T0))
    world.now = T0 + timedelta(hours=1)  # the real time of the run
    world.publisher.failing = True  # interrupted before the queue write
    assert world.sweep(EXPIRE, T0 + timedelta(days=29))["expired"] == 1
    expired = world.stored(lead)
    assert expired.closed_at == expired.history[-1].at == world.now
    (owed,) = world.leads.outbox
    assert owed.created_at == world.now  # so its outbox row is relayed from now, not in 30 days
