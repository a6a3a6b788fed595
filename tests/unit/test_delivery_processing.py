"""The intake journal against fakes of our ports: acknowledge, process once, quarantine, relay,
replay. Every delivery goes through the door and the processor, as the webhook and its queue
trigger run them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from shared.domain.delivery import Delivery
from shared.domain.errors import DependencyUnavailable, InvalidInput
from shared.domain.intake_journal import DeliveryMessage, JournalStatus, received_at_of
from shared.domain.lead import Lead
from shared.domain.lead_policy import LeadPolicy
from shared.domain.notification import Notification
from shared.domain.principal import Principal
from shared.services.customer_checks import SpamDomains
from shared.services.delivery_desk import DeliveryDesk
from shared.services.delivery_door import DeliveryDoor
from shared.services.delivery_messages import DeliveryMessages
from shared.services.delivery_processor import NO_CUSTOMER, DeliveryProcessor
from shared.services.delivery_queries import DeliveryQuery, ReplayDeliveries
from shared.services.delivery_relay import DeliveryRelay
from shared.services.lead_events import LeadEvents
from shared.services.lead_intake import IntakeService
from shared.services.paging import PagingTokens
from shared.services.partners import PartnerService, RegisterPartner
from tests.unit.fakes import (
    InMemoryLeadRepository,
    InMemoryPartnerRepository,
    RecordingActivity,
    RecordingPublisher,
    SteppingClock,
)
from tests.unit.journal_fakes import InMemoryDeliveryJournal, RecordingDeliveryQueue
from tests.unit.retry_fakes import RecordingRedeliveries, retries

OPERATOR = Principal(user_id="op", roles=frozenset({"Leads.Operator"}))


@dataclass
class BreakableLeads(InMemoryLeadRepository):
    """The real fake, until a test breaks it: a dependency down, or a bug of ours."""

    failure: Exception | None = field(default=None)

    def add(self, lead: Lead, **kwargs: Any) -> Lead:
        if self.failure is not None:
            raise self.failure
        return super().add(lead, **kwargs)


class World:
    def __init__(self) -> None:
        self.clock = SteppingClock()
        self.leads = BreakableLeads()
        self.publisher = RecordingPublisher()
        self.journal = InMemoryDeliveryJournal()
        self.queue = RecordingDeliveryQueue()
        partners = PartnerService(
            repository=InMemoryPartnerRepository(), clock=self.clock, base_url="https://x"
        )
        self.key = partners.register(RegisterPartner(partner_id="contoso", name="C")).intake_key
        spam = SpamDomains.from_lines([])
        intake = IntakeService(
            activity=RecordingActivity(),
            events=LeadEvents(policy=LeadPolicy()),
            partners=partners,
            leads=self.leads,
            publisher=self.publisher,
            clock=self.clock,
            policy=LeadPolicy(),
            spam_domains=spam,
        )
        self.door = DeliveryDoor(
            partners=partners, journal=self.journal, queue=self.queue, clock=self.clock
        )
        self.processor = DeliveryProcessor(
            journal=self.journal, intake=intake, clock=self.clock, spam_domains=spam
        )
        self.redeliveries = RecordingRedeliveries()
        self.messages = DeliveryMessages(
            processor=self.processor,
            retries=retries(self.redeliveries),
            clock=self.clock,
            max_dequeue_count=5,
        )
        self.relay = DeliveryRelay(journal=self.journal, queue=self.queue)
        self.desk = DeliveryDesk(
            journal=self.journal, queue=self.queue, clock=self.clock, tokens=PagingTokens(b"k")
        )

    def acknowledge(self, body: dict[str, Any]) -> str:
        receipt = self.door.acknowledge("contoso", self.key, json.dumps(body).encode(), body)
        assert receipt.status is JournalStatus.RECEIVED
        return receipt.delivery_id

    def status(self, delivery_id: str) -> JournalStatus:
        entry = self.journal.get(delivery_id)
        assert entry is not None
        return entry.status

    def run_queue(self) -> None:
        """Process every queued message once, as the queue trigger would."""
        queued, self.queue.published = self.queue.published, []
        for delivery_id in queued:
            self.processor.process(delivery_id)

    def notifications(self) -> list[Notification]:
        return self.publisher.published


@pytest.fixture
def world() -> World:
    return World()


def _contact_me(email: str = "mia@fabrikam.de") -> dict[str, Any]:
    return {
        "UserDetails": {"FirstName": "Mia", "Email": email, "Company": "Fabrikam"},
        "LeadSource": "AppSource (SPZA)-PLT|fab.fleet",
        "OfferTitle": "Fleet Insights",
    }


def test_the_door_journals_the_body_exactly_and_queues_only_ids(world: World) -> None:
    raw = b'{"UserDetails": {"FirstName": "Mia"},   "Extra": [1, 2]}'
    receipt = world.door.acknowledge("contoso", world.key, raw, json.loads(raw))
    entry = world.journal.get(receipt.delivery_id)
    assert entry is not None
    assert entry.body == raw
    assert entry.sha256 == hashlib.sha256(raw).hexdigest()
    assert entry.received_at == received_at_of(receipt.delivery_id)
    assert world.queue.published == [receipt.delivery_id]
    assert world.leads.leads == {}  # nothing is processed before the answer


def test_a_delivery_is_processed_once_however_often_it_is_queued(world: World) -> None:
    delivery_id = world.acknowledge(_contact_me())
    first = world.processor.process(delivery_id)
    again = world.processor.process(delivery_id)
    assert first is not None
    assert first.status is JournalStatus.CREATED
    assert again == first
    assert len(world.leads.leads) == 1
    assert len(world.notifications()) == 1


def test_a_body_naming_no_customer_is_rejected_with_its_reason(world: World) -> None:
    delivery_id = world.acknowledge({"LeadSource": "AzureMarketplace", "OfferTitle": "Fleet"})
    entry = world.processor.process(delivery_id)
    assert entry is not None
    assert (entry.status, entry.reason) == (JournalStatus.REJECTED, NO_CUSTOMER)
    assert entry.lead_id is None
    assert world.leads.leads == {}


def test_a_test_lead_is_recorded_as_test(world: World) -> None:
    delivery_id = world.acknowledge(_contact_me(email="MSFT_TEST_1@test.com"))
    world.run_queue()
    assert world.status(delivery_id) is JournalStatus.TEST
    assert world.notifications() == []


def test_our_bug_quarantines_at_once_without_personal_data_then_a_replay_lands_once(
    world: World,
) -> None:
    world.leads.failure = RuntimeError("boom for mia@fabrikam.de")
    delivery_id = world.acknowledge(_contact_me())
    entry = world.processor.process(delivery_id)  # the first attempt: no retry for a bug
    assert entry is not None
    assert entry.status is JournalStatus.QUARANTINED
    assert entry.reason is not None
    assert entry.reason.startswith("RuntimeError")
    assert "mia" not in entry.reason
    assert world.leads.leads == {}

    world.leads.failure = None  # the fix is deployed
    report = world.desk.replay(OPERATOR, ReplayDeliveries(delivery_id=delivery_id))
    assert (report.matched, report.queued, report.skipped) == (1, 1, 0)
    world.run_queue()
    again = world.desk.replay(OPERATOR, ReplayDeliveries(delivery_id=delivery_id))
    world.run_queue()
    assert (again.queued, again.skipped) == (0, 1)
    assert world.status(delivery_id) is JournalStatus.CREATED
    assert len(world.leads.leads) == 1
    assert len(world.notifications()) == 1


def test_a_failing_dependency_is_retried_with_back_off_then_quarantined(world: World) -> None:
    world.leads.failure = DependencyUnavailable("Storage did not answer; try again shortly.")
    delivery_id = world.acknowledge(_contact_me())
    message = DeliveryMessage(delivery_ids=(delivery_id,), partner_id="contoso")
    delivery = Delivery(message_id="m1", dequeue_count=1)
    delays: list[timedelta] = []
    while (counts := world.messages.handle(message, delivery))["deferred"]:
        assert counts == {"landed": 0, "deferred": 1, "quarantined": 0}
        assert world.status(delivery_id) is JournalStatus.RECEIVED
        put_back, delay = world.redeliveries.take()
        assert isinstance(put_back, DeliveryMessage)
        message = put_back
        delays.append(delay)
        world.clock.advance(seconds=delay.total_seconds())
        delivery = Delivery(f"m{len(delays) + 1}", dequeue_count=1, redelivery=message.redelivery)
    assert counts == {"landed": 0, "deferred": 0, "quarantined": 1}
    # Doubling from a minute to the hour's cap, for the policy's 24 hours, then given up.
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert max(delays) == timedelta(hours=1)
    assert sum(delays, timedelta()) >= timedelta(hours=24)
    entry = world.journal.get(delivery_id)
    assert entry is not None
    assert entry.status is JournalStatus.QUARANTINED
    assert entry.reason == "DependencyUnavailable: Storage did not answer; try again shortly."
    assert entry.attempts == len(delays) + 1
    assert world.redeliveries.parked == []  # the journal keeps it, not a poison queue

    world.leads.failure = None  # the fix, a day later: replay the day's quarantined deliveries
    window = ReplayDeliveries.model_validate(
        {"from": received_at_of(delivery_id).isoformat(), "status": "Quarantined"}
    )
    assert world.desk.replay(OPERATOR, window).queued == 1
    world.run_queue()
    assert world.status(delivery_id) is JournalStatus.CREATED
    assert len(world.leads.leads) == 1
    assert len(world.notifications()) == 1


def test_a_lost_queue_write_is_relayed_a_minute_later_with_back_off(world: World) -> None:
    world.queue.failing = True
    delivery_id = world.acknowledge(_contact_me())
    world.queue.failing = False
    assert world.relay.run(world.clock.now()) == {"relayed": 0, "failed": 0}
    world.clock.advance(seconds=61)
    assert world.relay.run(world.clock.now()) == {"relayed": 1, "failed": 0}
    assert world.relay.run(world.clock.now())["relayed"] == 0  # backed off
    world.run_queue()
    assert world.status(delivery_id) is JournalStatus.CREATED
    world.clock.advance(hours=2)
    assert world.relay.run(world.clock.now())["relayed"] == 0  # processed: nothing pending


def test_a_delivery_stranded_over_a_long_weekend_is_relayed_but_not_one_older_than_a_week(
    world: World,
) -> None:
    world.queue.failing = True
    week_old = world.acknowledge(_contact_me(email="old@fabrikam.de"))
    world.clock.advance(days=3)
    weekend = world.acknowledge(_contact_me(email="new@fabrikam.de"))
    world.queue.failing = False
    world.clock.advance(days=4, seconds=61)  # the first is now 7 days old, the second 4
    assert world.relay.run(world.clock.now()) == {"relayed": 1, "failed": 0}
    world.run_queue()
    assert world.status(weekend) is JournalStatus.CREATED
    assert world.status(week_old) is JournalStatus.RECEIVED  # an operator's replay, as documented


def test_reprocessing_a_landed_delivery_answers_duplicate_never_a_second_lead(
    world: World,
) -> None:
    delivery_id = world.acknowledge(_contact_me())
    world.run_queue()
    entry = world.journal.get(delivery_id)
    assert entry is not None
    world.journal.reopen(entry, relay_at=world.clock.now())  # as if the outcome were lost
    second = world.processor.process(delivery_id)
    assert second is not None
    assert (second.status, second.lead_id) == (JournalStatus.DUPLICATE, entry.lead_id)
    assert len(world.notifications()) == 1


def test_operators_list_newest_first_by_page_and_read_one_with_its_body(world: World) -> None:
    ids = []
    for i in range(5):
        ids.append(world.acknowledge(_contact_me(email=f"c{i}@fabrikam.de")))
        world.clock.advance(seconds=1)
    world.run_queue()
    first = world.desk.page(OPERATOR, DeliveryQuery(page_size=2))
    assert [item.delivery_id for item in first.items] == ids[:-3:-1]
    assert first.continuation_token is not None
    rest = world.desk.page(
        OPERATOR, DeliveryQuery(page_size=10, continuation_token=first.continuation_token)
    )
    assert [item.delivery_id for item in rest.items] == ids[2::-1]
    assert rest.continuation_token is None
    detail = world.desk.get(OPERATOR, ids[0])
    assert json.loads(detail.body)["UserDetails"]["Email"] == "c0@fabrikam.de"
    assert "body" not in first.items[0].model_dump()


def test_a_continuation_token_is_bound_to_its_filters(world: World) -> None:
    for i in range(3):
        world.acknowledge(_contact_me(email=f"c{i}@fabrikam.de"))
    token = world.desk.page(OPERATOR, DeliveryQuery(page_size=1)).continuation_token
    with pytest.raises(InvalidInput):
        world.desk.page(
            OPERATOR,
            DeliveryQuery.model_validate(
                {"pageSize": 1, "status": "Received", "continuationToken": token}
            ),
        )


def test_replay_of_a_window_counts_what_it_did(world: World) -> None:
    landed = world.acknowledge(_contact_me())
    world.run_queue()
    rejected = world.acknowledge({"OfferTitle": "Fleet"})
    world.run_queue()
    query = ReplayDeliveries.model_validate({"from": world.clock.now().isoformat()})
    report = world.desk.replay(OPERATOR, query)
    assert (report.matched, report.queued, report.skipped, report.failed) == (2, 1, 1, 0)
    assert world.queue.published == [rejected]
    assert world.status(landed) is JournalStatus.CREATED


def test_an_outage_that_passes_lands_the_delivery_once_without_quarantine(world: World) -> None:
    world.leads.failure = DependencyUnavailable("Storage did not answer; try again shortly.")
    delivery_id = world.acknowledge(_contact_me())
    message = DeliveryMessage(delivery_ids=(delivery_id,), partner_id="contoso")
    assert world.messages.handle(message, Delivery("m1", dequeue_count=1))["deferred"] == 1
    put_back, _ = world.redeliveries.take()
    assert isinstance(put_back, DeliveryMessage)
    assert put_back.redelivery is not None

    world.leads.failure = None  # storage is back when the retry is due
    retry = Delivery("m2", dequeue_count=1, redelivery=put_back.redelivery)
    assert world.messages.handle(put_back, retry) == {"landed": 1, "deferred": 0, "quarantined": 0}
    entry = world.journal.get(delivery_id)
    assert entry is not None
    assert (entry.status, entry.attempts) == (JournalStatus.CREATED, 2)
    assert len(world.leads.leads) == 1
    assert len(world.notifications()) == 1


def test_a_retry_names_only_the_deliveries_still_to_land(world: World) -> None:
    landed_first = world.acknowledge(_contact_me("first@fabrikam.de"))
    world.leads.failure = DependencyUnavailable("Storage did not answer; try again shortly.")
    failing = world.acknowledge(_contact_me("second@fabrikam.de"))
    world.leads.failure = None
    world.processor.process(landed_first)
    world.leads.failure = DependencyUnavailable("Storage did not answer; try again shortly.")
    message = DeliveryMessage(delivery_ids=(landed_first, failing), partner_id="contoso")
    counts = world.messages.handle(message, Delivery("m1", dequeue_count=1))
    assert counts == {"landed": 1, "deferred": 1, "quarantined": 0}
    put_back, _ = world.redeliveries.take()
    assert isinstance(put_back, DeliveryMessage)
    assert put_back.delivery_ids == (failing,)


def test_when_the_queue_refuses_the_retry_the_host_retries_and_its_last_attempt_quarantines(
    world: World,
) -> None:
    world.leads.failure = DependencyUnavailable("Storage did not answer; try again shortly.")
    world.redeliveries.down = True
    delivery_id = world.acknowledge(_contact_me())
    message = DeliveryMessage(delivery_ids=(delivery_id,), partner_id="contoso")
    with pytest.raises(DependencyUnavailable):
        world.messages.handle(message, Delivery("m1", dequeue_count=1))
    assert world.status(delivery_id) is JournalStatus.RECEIVED
    counts = world.messages.handle(message, Delivery("m1", dequeue_count=5))
    assert counts == {"landed": 0, "deferred": 0, "quarantined": 1}
    assert world.status(delivery_id) is JournalStatus.QUARANTINED


def test_the_queue_message_names_its_deliveries_in_either_shape() -> None:
    single = DeliveryMessage.model_validate_json('{"deliveryId": "d1", "partnerId": "p"}')
    batch = DeliveryMessage.model_validate_json('{"deliveryIds": ["d1", "d2"], "partnerId": "p"}')
    assert single.delivery_ids == ("d1",)
    assert batch.delivery_ids == ("d1", "d2")
    with pytest.raises(ValidationError, match="at least 1 item"):
        DeliveryMessage.model_validate_json('{"deliveryIds": [], "partnerId": "p"}')
