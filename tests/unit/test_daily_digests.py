"""The send-digests job on fakes: partner-local days, urgency order, one digest per lead."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from shared.adapters.clock import FixedClock
from shared.domain.lead import Actor
from shared.domain.lead_parts import Deal
from shared.domain.notification import DIGEST_MAX_LEADS, Notification, NotificationKind
from shared.domain.partner import Partner
from shared.services.daily_digests import DailyDigests
from tests.support.leads import make_lead
from tests.unit.fakes import InMemoryLeadRepository, InMemoryPartnerRepository, RecordingPublisher
from tests.unit.job_fakes import InMemoryDigestHolds

P = "contoso"
NOW = datetime(2026, 11, 3, tzinfo=UTC)
# The last Sunday of October 2026: Berlin leaves summer time at 01:00 UTC, a 25-hour day.
FALL_BACK = date(2026, 10, 25)


class World:
    def __init__(self, time_zone: str = "Europe/Berlin") -> None:
        self.partners = InMemoryPartnerRepository()
        now = datetime(2026, 1, 1, tzinfo=UTC)
        self.partners.add(
            Partner(
                partner_id=P,
                name="Contoso",
                time_zone=time_zone,
                intake_key_hash="x",
                created_at=now,
                intake_key_rotated_at=now,
            )
        )
        self.leads = InMemoryLeadRepository()
        self.holds = InMemoryDigestHolds(leads=self.leads)
        self.publisher = RecordingPublisher()
        self.job = DailyDigests(
            partners=self.partners,
            holds=self.holds,
            publisher=self.publisher,
            clock=FixedClock(NOW),
        )

    def hold(self, day: date, *arrivals: datetime) -> list[str]:
        ids = [self.leads.add(make_lead(P, at=at)).id for at in arrivals]
        self.holds.hold(P, day, *ids)
        return ids

    def run(self, as_of: datetime, limit: int = 10_000) -> dict[str, int]:
        return dict(self.job.run_partner(P, as_of, limit=limit).counts)


@pytest.fixture
def world() -> World:
    return World()


def test_the_day_is_over_at_local_midnight_after_the_dst_change(world: World) -> None:
    # 25 Oct in Berlin runs from 24 Oct 22:00 UTC (CEST) to 25 Oct 23:00 UTC (CET).
    first = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    ids = world.hold(FALL_BACK, first, first + timedelta(hours=24, minutes=59))

    assert world.run(datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC)) == {}
    assert world.holds.released == []
    assert world.run(datetime(2026, 10, 25, 23, 0, tzinfo=UTC)) == {"digests": 1, "leads": 2}

    (digest,) = world.holds.released
    assert (digest.kind, digest.digest_day, digest.lead_ids) == (
        NotificationKind.DAILY_DIGEST,
        FALL_BACK,
        tuple(ids),
    )
    assert world.publisher.published == [digest]


def test_the_day_before_the_change_ends_an_hour_earlier_in_utc(world: World) -> None:
    world.hold(date(2026, 10, 24), datetime(2026, 10, 24, 8, 0, tzinfo=UTC))
    assert world.run(datetime(2026, 10, 24, 21, 59, 59, tzinfo=UTC)) == {}
    assert world.run(datetime(2026, 10, 24, 22, 0, tzinfo=UTC))["digests"] == 1


def test_a_partner_with_nothing_held_costs_one_empty_query_and_gets_nothing(world: World) -> None:
    assert world.run(datetime(2026, 11, 1, tzinfo=UTC)) == {}
    assert world.holds.queries == 1
    assert world.partners.reads == 0  # the time zone is read only when something is held
    assert world.publisher.published == []


def test_leads_are_listed_closest_to_expiry_first_handled_ones_last(world: World) -> None:
    day = date(2026, 11, 2)
    early, late, handled = (datetime(2026, 11, 2, h, tzinfo=UTC) for h in (8, 15, 6))
    late_id, early_id, handled_id = world.hold(day, late, early, handled)
    lead = world.leads.get(P, handled_id)
    lead.accept(Deal(name="Fleet"), team=[], contacts=[], actor=Actor("Al"), now=late)
    world.leads.save(lead)

    world.run(datetime(2026, 11, 3, 12, tzinfo=UTC))

    (digest,) = world.holds.released
    assert digest.lead_ids == (early_id, late_id, handled_id)


def test_a_day_of_500_held_leads_is_one_digest(world: World) -> None:
    day = date(2026, 11, 2)
    start = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)  # 00:00 in Berlin
    arrivals = [start + timedelta(seconds=60 * i) for i in range(500)]
    ids = world.hold(day, *reversed(arrivals))

    assert world.run(datetime(2026, 11, 3, 0, 5, tzinfo=UTC)) == {"digests": 1, "leads": 500}

    (digest,) = world.holds.released
    assert digest.lead_ids == tuple(reversed(ids))  # earliest arrival = closest to expiry, first
    assert world.holds.rows == set()
    assert world.run(datetime(2026, 11, 4, tzinfo=UTC)) == {}  # nothing twice


def test_only_a_day_past_what_one_notification_carries_gets_a_second_digest(
    world: World,
) -> None:
    day = date(2026, 11, 2)
    start = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    world.hold(day, *(start + timedelta(seconds=30 * i) for i in range(DIGEST_MAX_LEADS + 1)))

    counts = world.run(datetime(2026, 11, 3, 0, 5, tzinfo=UTC))

    assert counts == {"digests": 2, "leads": DIGEST_MAX_LEADS + 1}
    assert [len(d.lead_ids) for d in world.holds.released] == [DIGEST_MAX_LEADS, 1]


def test_days_not_over_wait_and_several_days_over_each_get_their_digest(world: World) -> None:
    world.hold(date(2026, 11, 1), datetime(2026, 11, 1, 9, tzinfo=UTC))
    world.hold(date(2026, 11, 2), datetime(2026, 11, 2, 9, tzinfo=UTC))
    world.hold(date(2026, 11, 3), datetime(2026, 11, 3, 9, tzinfo=UTC))

    assert world.run(datetime(2026, 11, 3, 12, tzinfo=UTC)) == {"digests": 2, "leads": 2}
    assert [d.digest_day for d in world.holds.released] == [date(2026, 11, 1), date(2026, 11, 2)]
    assert len(world.holds.rows) == 1


def test_a_release_lost_to_another_run_lists_again_and_sends_the_rest(world: World) -> None:
    ids = world.hold(date(2026, 11, 2), *(datetime(2026, 11, 2, h, tzinfo=UTC) for h in (8, 9)))
    world.holds.steal_before_release = ids[0]  # another run released it meanwhile

    counts = world.run(datetime(2026, 11, 3, 12, tzinfo=UTC))

    assert counts == {"digests": 1, "leads": 1}
    (digest,) = world.holds.released
    assert digest.lead_ids == (ids[1],)


def test_the_limit_leaves_whole_days_for_the_next_run(world: World) -> None:
    world.hold(date(2026, 11, 1), datetime(2026, 11, 1, 9, tzinfo=UTC))
    world.hold(date(2026, 11, 2), datetime(2026, 11, 2, 9, tzinfo=UTC))
    run = world.job.run_partner(P, datetime(2026, 11, 3, 12, tzinfo=UTC), limit=1)
    assert (run.counts["digests"], run.more) == (1, True)


def test_a_day_touched_by_another_run_after_a_release_is_listed_again_for_the_rest(
    world: World,
) -> None:
    day = date(2026, 11, 2)
    start = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    ids = world.hold(day, *(start + timedelta(seconds=30 * i) for i in range(DIGEST_MAX_LEADS + 1)))
    world.holds.touched_after_release = True

    counts = world.run(datetime(2026, 11, 3, 0, 5, tzinfo=UTC))

    assert counts == {"digests": 2, "leads": DIGEST_MAX_LEADS + 1}
    listed = [lead_id for digest in world.holds.released for lead_id in digest.lead_ids]
    assert sorted(listed) == sorted(ids)
    assert len(world.publisher.published) == 2


def test_the_largest_digest_fits_a_table_property_and_a_queue_message() -> None:
    ids = [uuid.uuid4().hex for _ in range(DIGEST_MAX_LEADS)]  # the app's lead ids
    digest = Notification.daily_digest(
        partner_id="a" * 64, day=date(2026, 11, 2), lead_ids=ids, now=NOW
    )
    message = digest.model_dump_json(by_alias=True)
    assert len(message) <= 32_768  # the outbox row's Message property
    assert len(base64.b64encode(message.encode())) <= 64 * 1024  # the queue message
    with pytest.raises(ValueError, match="digest carries"):
        Notification.daily_digest(
            partner_id="p", day=digest.digest_day or date.min, lead_ids=[*ids, "x"], now=NOW
        )


def test_a_digest_released_by_a_replay_of_a_future_instant_is_created_now(world: World) -> None:
    world.hold(date(2026, 11, 2), datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    assert world.run(NOW + timedelta(days=15))["digests"] == 1
    (digest,) = world.holds.released
    assert digest.created_at == NOW  # the clock's time: its outbox row is relayed from now
