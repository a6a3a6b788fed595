"""Every change of a lead appends one event of its kind, in the write of the change, carrying
the lead as an admin sees it: intake, the partner's actions and the timed sweeps, with fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.formats.json import JSONFormat

from shared.domain.lead import LeadDetails, LeadEventKind
from shared.domain.lead_parts import Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    LeadType,
    Offer,
    Quality,
    QualityRating,
    Storefront,
    View,
)
from shared.domain.principal import PARTNER_ACTORS, Principal
from shared.services.customer_checks import SpamDomains
from shared.services.event_ports import EVENT_TYPE_PREFIX, LEAD_EVENT_KINDS
from shared.services.lead_actions import LeadActions
from shared.services.lead_commands import (
    AcceptLead,
    DeclineLead,
    EditDeal,
    LoseLead,
    PersonInput,
    WinLead,
)
from shared.services.lead_events import LOGGED_CHANGES, LeadEvents
from shared.services.lead_intake import IntakeService
from shared.services.lead_sweeps import AGE_OUT, EXPIRE
from shared.services.lead_view import present
from shared.services.partners import PartnerService
from tests.support.leads import make_lead
from tests.unit.fakes import (
    InMemoryLeadRepository,
    InMemoryPartnerRepository,
    NoFavorites,
    RecordingActivity,
    RecordingPublisher,
    SteppingClock,
)
from tests.unit.job_fakes import SweepWorld

P = "contoso"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ADMIN = Principal(user_id="u-1", roles=frozenset({"Referrals.Admin"}), partner_id=P)


class World:
    def __init__(self) -> None:
        self.clock = SteppingClock(T0)
        self.leads = InMemoryLeadRepository()
        partners = PartnerService(
            repository=InMemoryPartnerRepository(), clock=self.clock, base_url="https://x"
        )
        publisher = RecordingPublisher()
        self.intake = IntakeService(
            activity=RecordingActivity(),
            events=LeadEvents(policy=LeadPolicy()),
            partners=partners,
            leads=self.leads,
            publisher=publisher,
            clock=self.clock,
            policy=LeadPolicy(),
            spam_domains=SpamDomains.from_lines([]),
        )
        self.actions = LeadActions(
            events=LeadEvents(policy=LeadPolicy()),
            leads=self.leads,
            favorites=NoFavorites(),
            publisher=publisher,
            clock=self.clock,
            policy=LeadPolicy(),
        )

    def land(self, email: str, *, contact_me: bool) -> str:
        self.clock.advance(minutes=1)
        return self.intake.land_marketplace(P, details(email, self.clock.now(), contact_me)).lead_id

    def types(self) -> list[str]:
        return [event.event_type.removeprefix(EVENT_TYPE_PREFIX) for event in self.leads.events]


def details(email: str, at: datetime, contact_me: bool) -> LeadDetails:
    action = CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW
    return LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.OFFER,
        source=Storefront.APPSOURCE,
        interaction=Interaction(
            action_code="PLT" if contact_me else "INS", call_to_action=action, at=at
        ),
        offer=Offer(id="fabrikam.fleet", title="Fleet Insights"),
        customer=Customer(first_name="Mia", email=email, company="Fabrikam", country="DE"),
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=contact_me,
        contact_requested=contact_me,
    )


def parsed(cloud_event: dict[str, Any]) -> Any:
    """Read back with the CloudEvents SDK, as a receiver would."""
    return JSONFormat().read(None, json.dumps(cloud_event))


def test_every_change_a_partner_makes_appends_one_event_of_its_kind() -> None:
    world = World()
    lead_id = world.land("mia@fabrikam.de", contact_me=False)
    world.land("mia@fabrikam.de", contact_me=True)  # the same customer: a later stage
    deal = AcceptLead(deal_name="Fleet", notes="Call Mia")
    world.actions.accept(ADMIN, lead_id, deal, None)
    world.actions.edit(ADMIN, lead_id, EditDeal(notes="Called"), None)
    world.actions.add_team_member(ADMIN, lead_id, PersonInput(name="Ana"), None)
    world.actions.win(ADMIN, lead_id, WinLead(notes="Signed"), None)
    declined = world.land("noa@tailspin.de", contact_me=True)
    world.actions.decline(ADMIN, declined, DeclineLead(reason="NotACustomer"), None)
    lost = world.land("kai@wingtip.de", contact_me=True)
    world.actions.accept(ADMIN, lost, deal, None)
    world.actions.lose(ADMIN, lost, LoseLead(reason="Other"), None)

    assert world.types() == [
        *("received", "stageAdded", "accepted", "updated", "teamChanged", "won"),
        *("received", "declined"),
        *("received", "accepted", "lost"),
    ]
    first = [event for event in world.leads.events if event.lead_id == lead_id]
    assert [event.cloud_event["data"]["version"] for event in first] == [1, 2, 3, 4, 5, 6]
    assert [event.cloud_event["leadversion"] for event in first] == [1, 2, 3, 4, 5, 6]


def test_an_event_is_a_cloud_event_carrying_the_lead_as_an_admin_reads_it() -> None:
    world = World()
    lead_id = world.land("mia@fabrikam.de", contact_me=True)
    world.actions.accept(ADMIN, lead_id, AcceptLead(deal_name="Fleet", notes="Call"), None)

    event = world.leads.events[-1]
    received = parsed(event.cloud_event)
    assert received.get_specversion() == "1.0"
    assert received.get_type() == "com.partnerleads.lead.accepted"
    assert received.get_id() == event.event_id
    assert len(event.event_id) == 32
    assert received.get_source() == f"/partners/{P}/leads"
    assert received.get_subject() == lead_id
    assert received.get_time() == world.clock.now()
    assert received.get_datacontenttype() == "application/json"
    stored = world.leads.get(P, lead_id)
    admin = Principal(user_id="x", roles=PARTNER_ACTORS, partner_id=P)
    shown = present(
        stored, now=world.clock.now(), policy=LeadPolicy(), favorite=False, viewer=admin
    )
    expected = json.loads(shown.model_dump_json(by_alias=True, exclude={"etag", "favorite"}))
    assert received.get_data() == expected | {"version": 2}


def test_the_timed_sweeps_log_reminders_expiries_and_aging_with_contact_removed() -> None:
    world = SweepWorld()
    waiting = world.add(make_lead(P, at=T0))
    informational = world.add(make_lead(P, at=T0, contact_me=False))
    assert waiting.remind_at
    assert waiting.respond_by
    assert informational.archive_at

    world.remind(waiting.remind_at)
    reminded = world.leads.events[-1].cloud_event["data"]["customer"]
    world.sweep(EXPIRE, waiting.respond_by)
    world.sweep(AGE_OUT, informational.archive_at)

    events = world.leads.events
    assert reminded["email"] is not None  # the lead had its contact when reminded
    assert [event.event_type.removeprefix(EVENT_TYPE_PREFIX) for event in events] == [
        "reminderDue",
        "expired",
        "agedOut",
    ]
    for event in events:  # gone from every event, the reminder's too, as from the lead
        customer = event.cloud_event["data"]["customer"]
        assert customer["email"] is None
        assert customer["phone"] is None
        assert customer["company"] == "Fabrikam"


def test_a_sweep_that_loses_a_race_logs_the_change_once() -> None:
    world = SweepWorld()
    lead = world.add(make_lead(P, at=T0))
    world.due.conflicts_to_inject = 1  # the first commit fails as if the lead had just changed
    assert lead.respond_by
    world.now = lead.respond_by

    assert world.sweep(EXPIRE, lead.respond_by)["expired"] == 1
    assert [event.event_type for event in world.leads.events] == [EVENT_TYPE_PREFIX + "expired"]


def test_every_change_the_aggregate_records_is_logged_under_a_kind_of_the_port() -> None:
    unlogged = set(LeadEventKind) - set(LOGGED_CHANGES)
    assert unlogged == {LeadEventKind.BECAME_ACTION_REQUIRED}  # part of a receipt or a stage
    assert sorted(LOGGED_CHANGES.values()) == sorted(LEAD_EVENT_KINDS)  # each kind once


def test_an_unchanged_lead_logs_nothing() -> None:
    world = World()
    world.land("mia@fabrikam.de", contact_me=True)
    world.land("mia@fabrikam.de", contact_me=True)  # an exact re-delivery: a duplicate
    assert world.types() == ["received"]
