"""Intake use cases against fakes of our ports: de-duplication, stages, outbox, idempotency."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from shared.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from shared.domain.intake_journal import JournalStatus
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import CallToAction, LeadStatus, Qualification, View
from shared.domain.notification import NotificationKind
from shared.domain.principal import Principal
from shared.services.customer_checks import SpamDomains
from shared.services.delivery_door import DeliveryDoor
from shared.services.delivery_processor import DeliveryProcessor
from shared.services.lead_events import LeadEvents
from shared.services.lead_intake import IntakeResult, IntakeService
from shared.services.partners import PartnerService, RegisterPartner
from shared.services.referrals import ReferLead
from tests.unit.fakes import (
    InMemoryLeadRepository,
    InMemoryPartnerRepository,
    RecordingActivity,
    RecordingPublisher,
    SteppingClock,
)
from tests.unit.journal_fakes import InMemoryDeliveryJournal, RecordingDeliveryQueue


class World:
    def __init__(self) -> None:
        self.clock = SteppingClock()
        self.leads = InMemoryLeadRepository()
        self.publisher = RecordingPublisher()
        partners = PartnerService(
            repository=InMemoryPartnerRepository(), clock=self.clock, base_url="https://x"
        )
        self.key = partners.register(RegisterPartner(partner_id="contoso", name="C")).intake_key
        spam_domains = SpamDomains.from_lines(["mailinator.com"])
        self.activity = RecordingActivity()
        self.intake = IntakeService(
            activity=self.activity,
            events=LeadEvents(policy=LeadPolicy()),
            partners=partners,
            leads=self.leads,
            publisher=self.publisher,
            clock=self.clock,
            policy=LeadPolicy(),
            spam_domains=spam_domains,
        )
        self.journal = InMemoryDeliveryJournal()
        self.door = DeliveryDoor(
            partners=partners,
            journal=self.journal,
            queue=RecordingDeliveryQueue(),
            clock=self.clock,
        )
        self.processor = DeliveryProcessor(
            journal=self.journal, intake=self.intake, clock=self.clock, spam_domains=spam_domains
        )

    def deliver(self, body: dict[str, object]) -> tuple[str, IntakeResult]:
        """Through the door and the processing, as the webhook and its queue trigger do."""
        receipt = self.door.acknowledge("contoso", self.key, json.dumps(body).encode(), body)
        entry = self.processor.process(receipt.delivery_id)
        assert entry is not None
        assert entry.lead_id is not None, entry
        status = "Created" if entry.status is JournalStatus.TEST else entry.status.value
        return entry.lead_id, IntakeResult(status)


@pytest.fixture
def world() -> World:
    return World()


def _body(
    action: str = "PLT", email: str = "Mia@Fabrikam.de", offer: str = "fab.fleet"
) -> dict[str, object]:
    return {
        "UserDetails": {"FirstName": "Mia", "Email": email, "Country": "DE", "Company": "Fabrikam"},
        "LeadSource": f"AppSource (SPZA)-{action}|{offer}",
        "OfferTitle": "Fleet Insights",
    }


def test_contact_me_lead_requires_action_and_owes_one_notification(world: World) -> None:
    lead_id, result = world.deliver(_body("PLT"))
    lead = world.leads.get("contoso", lead_id)
    assert result is IntakeResult.CREATED
    assert lead.requires_action
    assert lead.contact_requested
    assert lead.respond_by == lead.created_at + timedelta(days=14)
    assert lead.archive_at is None
    assert lead.customer.email == "mia@fabrikam.de"
    assert [n.kind for n in world.leads.outbox] == [NotificationKind.NEW_LEAD]
    assert world.publisher.published == world.leads.outbox
    assert lead.history[0].actor == "Marketplace"


def test_informational_lead_ages_out_in_six_months_and_owes_nothing(world: World) -> None:
    lead_id, _ = world.deliver(_body("INS"))
    lead = world.leads.get("contoso", lead_id)
    assert not lead.requires_action
    assert lead.respond_by is None
    assert lead.archive_at is not None
    assert lead.archive_at.month == (lead.created_at.month + 6 - 1) % 12 + 1
    assert world.leads.outbox == []


def test_exact_redelivery_is_one_read_and_changes_nothing(world: World) -> None:
    lead_id, _ = world.deliver(_body("PLT"))
    before = world.leads.get("contoso", lead_id)
    world.leads.reads = 0
    again_id, result = world.deliver(_body("PLT", email="  MIA@fabrikam.de "))
    assert (again_id, result) == (lead_id, IntakeResult.DUPLICATE)
    assert world.leads.reads == 1
    assert world.leads.get("contoso", lead_id) == before
    assert len(world.leads.outbox) == 1
    # Only the new lead is noted on the partner's summary (operators' "last lead received").
    assert world.activity.received == [("contoso", before.created_at)]


def test_contact_me_after_get_it_now_makes_the_lead_action_required_from_then(
    world: World,
) -> None:
    lead_id, _ = world.deliver(_body("INS"))
    world.clock.advance(days=3)
    same_id, result = world.deliver(_body("PLT"))
    lead = world.leads.get("contoso", lead_id)
    assert (same_id, result) == (lead_id, IntakeResult.STAGE_ADDED)
    assert [i.call_to_action for i in lead.interactions] == [
        CallToAction.GET_IT_NOW,
        CallToAction.CONTACT_ME,
    ]
    assert lead.requires_action
    assert lead.respond_by == world.clock.now() + timedelta(days=14)
    assert lead.archive_at is None
    assert [n.kind for n in world.leads.outbox] == [NotificationKind.NEW_LEAD]


def test_each_visit_keeps_its_own_message(world: World) -> None:
    lead_id, _ = world.deliver({**_body("INS"), "Description": "Trying it with 20 users"})
    world.clock.advance(days=1)
    world.deliver({**_body("PLT"), "Description": "Now we want a call"})
    lead = world.leads.get("contoso", lead_id)
    assert [i.description for i in lead.interactions] == [
        "Trying it with 20 users",
        "Now we want a call",
    ]
    assert lead.description == "Now we want a call"  # the latest leads the emails and the page


def test_another_offer_or_customer_is_another_lead(world: World) -> None:
    first, _ = world.deliver(_body())
    other_offer, _ = world.deliver(_body(offer="fab.other"))
    other_customer, _ = world.deliver(_body(email="jo@fabrikam.de"))
    assert len({first, other_offer, other_customer}) == 3


def test_customer_returning_after_archive_starts_a_new_lead(world: World) -> None:
    first, _ = world.deliver(_body())
    lead = world.leads.get("contoso", first)
    lead.status = LeadStatus.ARCHIVED
    world.leads.save(lead)
    second, result = world.deliver(_body())
    assert result is IntakeResult.CREATED
    assert second != first


def test_test_leads_are_stored_but_owe_no_notification(world: World) -> None:
    body = _body("PLT", email="MSFT_TEST_636573304831318844@test.com")
    lead_id, _ = world.deliver(body)
    assert world.leads.get("contoso", lead_id).is_test
    assert world.leads.outbox == []


def test_queue_failure_after_commit_still_acknowledges(world: World) -> None:
    world.publisher.failing = True
    lead_id, result = world.deliver(_body())
    assert result is IntakeResult.CREATED
    assert len(world.leads.outbox) == 1  # owed, for the relay
    assert world.leads.get("contoso", lead_id)


def test_wrong_key_stores_nothing(world: World) -> None:
    with pytest.raises(Unauthenticated):
        world.door.acknowledge("contoso", "wrong", b"{}", _body())
    assert world.leads.leads == {}
    assert world.journal.entries == {}


def test_invalid_body_stores_nothing(world: World) -> None:
    with pytest.raises(InvalidInput):
        world.deliver({"UserDetails": {"Email": 42}})
    assert world.leads.leads == {}
    assert world.journal.entries == {}


STAFF = Principal(user_id="staff-1", roles=frozenset({"Vendor.Referrer"}), name="Sam Staff")


def _referral(**changes: object) -> ReferLead:
    body: dict[str, object] = {
        "qualification": "SalesQualified",
        "leadType": "Profile",
        "customer": {"firstName": "Ana", "email": "ana@northwind.example", "country": "Brazil"},
        "notes": "Needs 40 seats",
        "contactRequested": True,
        **changes,
    }
    return ReferLead.model_validate(body)


def test_referral_records_its_sender_and_requires_action(world: World) -> None:
    receipt = world.intake.receive_referral(STAFF, "contoso", _referral(), None)
    lead = world.leads.get("contoso", receipt.lead_id)
    assert lead.view is View.QUALIFIED
    assert lead.qualification is Qualification.SALES_QUALIFIED
    assert lead.sender is not None
    assert lead.sender.user_id == "staff-1"
    assert lead.requires_action
    assert lead.customer.country == "BR"
    assert lead.history[0].actor == "Sam Staff"


@pytest.mark.parametrize(
    ("qualification", "lead_type", "view"),
    [
        ("MarketingQualified", "Profile", View.QUALIFIED),
        ("SalesQualified", "Offer", View.QUALIFIED),
        ("CustomerInquiry", "Profile", View.MARKETPLACE),
        ("CustomerInquiry", "Offer", View.MARKETPLACE),
    ],
)
def test_customer_inquiries_are_marketplace_leads_and_qualified_leads_are_qualified(
    world: World, qualification: str, lead_type: str, view: View
) -> None:
    offer = {"offer": {"id": "contoso.fleet"}} if lead_type == "Offer" else {}
    command = _referral(qualification=qualification, leadType=lead_type, **offer)
    receipt = world.intake.receive_referral(STAFF, "contoso", command, None)
    assert world.leads.get("contoso", receipt.lead_id).view is view


def test_referral_needs_the_referrer_role_and_a_known_partner(world: World) -> None:
    partner_user = Principal(user_id="u", roles=frozenset({"Referrals.Admin"}), partner_id="x")
    with pytest.raises(Forbidden):
        world.intake.receive_referral(partner_user, "contoso", _referral(), None)
    with pytest.raises(NotFound):
        world.intake.receive_referral(STAFF, "nobody", _referral(), None)


def test_idempotency_key_replays_the_first_answer(world: World) -> None:
    first = world.intake.receive_referral(STAFF, "contoso", _referral(), "key-1")
    again = world.intake.receive_referral(STAFF, "contoso", _referral(), "key-1")
    assert again == first
    assert again.result is IntakeResult.CREATED
    assert len(world.leads.leads) == 1


def test_idempotency_key_with_another_body_conflicts(world: World) -> None:
    world.intake.receive_referral(STAFF, "contoso", _referral(), "key-1")
    with pytest.raises(Conflict):
        world.intake.receive_referral(STAFF, "contoso", _referral(notes="other"), "key-1")


def test_referral_with_an_invalid_email_is_refused_naming_the_field(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.intake.receive_referral(
            STAFF, "contoso", _referral(customer={"email": "not-an-email"}), None
        )
    assert [error.field for error in refused.value.errors] == ["customer.email"]
