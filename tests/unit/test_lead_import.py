"""The Partner Center import against fakes of our ports: header mapping, BOM, quoted newlines,
bad rows with their line numbers, duplicates, the row limit, and who may import."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from shared.domain.errors import Forbidden, InvalidInput, PayloadTooLarge
from shared.domain.intake_journal import JournalStatus
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import LeadStatus, Outcome
from shared.domain.principal import Principal
from shared.services.customer_checks import SpamDomains
from shared.services.delivery_processor import DeliveryProcessor
from shared.services.lead_events import LeadEvents
from shared.services.lead_import import MAX_ROWS, LeadImport
from shared.services.lead_intake import IntakeService
from shared.services.partners import PartnerService, RegisterPartner
from tests.unit.fakes import (
    InMemoryLeadRepository,
    InMemoryPartnerRepository,
    RecordingActivity,
    RecordingPublisher,
    SteppingClock,
)
from tests.unit.journal_fakes import InMemoryDeliveryJournal, RecordingDeliveryQueue

ADMIN = Principal(user_id="a", roles=frozenset({"Referrals.Admin"}), partner_id="contoso")
OPERATOR = Principal(user_id="op", roles=frozenset({"Leads.Operator"}))

EXPORT = (
    "\ufeffLead Id,First Name,LAST_NAME,Email Address,Phone,Country/Region,Company Name,"
    "Job Title,Lead Source,Action Code,Offer Title,Description,LeadCreationDateTime,Extra\r\n"
    "1,Mia,Schmidt,mia@fabrikam.de,+49 30 901820,DE,Fabrikam,CTO,"
    'AzureMarketplace,PLT,Fleet Insights,"Wants a demo\r\nfor 400 vans",'
    "2026-10-01T08:30:00Z,x\r\n"
    "2,Jo,Bloggs,jo@northwind.example,,GB,Northwind,,AzureMarketplace,INS,Fleet Insights,,"
    "10/02/2026 3:15:00 PM,y\r\n"
    "3,Mia,Schmidt,MIA@fabrikam.de,,DE,Fabrikam,,AzureMarketplace,PLT,Fleet Insights,,"
    "2026-10-03T08:00:00Z,z\r\n"
    "4,Ann,,ann@fabrikam.de,,DE,,,AzureMarketplace,PLT,Fleet Insights,,yesterday,\r\n"
    "5,,,,,DE,,,AzureMarketplace,PLT,Fleet Insights,,2026-10-04T08:00:00Z,\r\n"
    "6,Ben,,ben@fabrikam.de,,DE,,," + "x" * 1100 + ",PLT,Fleet,,2026-10-04T08:00:00Z,\r\n"
    "\r\n"
)


class World:
    def __init__(self) -> None:
        self.clock = SteppingClock()
        self.leads = InMemoryLeadRepository()
        self.publisher = RecordingPublisher()
        self.journal = InMemoryDeliveryJournal()
        self.queue = RecordingDeliveryQueue()
        self.partners = PartnerService(
            repository=InMemoryPartnerRepository(), clock=self.clock, base_url="https://x"
        )
        self.partners.register(RegisterPartner(partner_id="contoso", name="C"))
        spam = SpamDomains.from_lines([])
        intake = IntakeService(
            activity=RecordingActivity(),
            events=LeadEvents(policy=LeadPolicy()),
            partners=self.partners,
            leads=self.leads,
            publisher=self.publisher,
            clock=self.clock,
            policy=LeadPolicy(),
            spam_domains=spam,
        )
        self.processor = DeliveryProcessor(
            journal=self.journal, intake=intake, clock=self.clock, spam_domains=spam
        )
        self.importer = LeadImport(
            partners=self.partners,
            journal=self.journal,
            queue=self.queue,
            clock=self.clock,
            spam_domains=spam,
        )

    def process_queue(self) -> list[JournalStatus]:
        statuses = []
        for delivery_id in self.queue.published:
            entry = self.processor.process(delivery_id)
            assert entry is not None
            statuses.append(entry.status)
        return statuses


@pytest.fixture
def world() -> World:
    return World()


def test_an_export_is_journaled_row_by_row_and_lands_with_its_creation_time(
    world: World,
) -> None:
    report = world.importer.run(ADMIN, None, io.BytesIO(EXPORT.encode("utf-8")))
    assert (report.rows, report.imported, report.duplicates) == (6, 2, 1)
    assert [(row.line, row.reason.split(" ")[0]) for row in report.rejected] == [
        (6, "LeadCreationDateTime"),
        (7, "The"),  # names no customer
        (8, "The"),  # a field over its length
    ]
    assert "LeadSource" in report.rejected[2].reason
    assert report.rejected_count == 3
    assert world.process_queue() == [JournalStatus.CREATED, JournalStatus.CREATED]
    leads = sorted(world.leads.leads.values(), key=lambda lead: lead.created_at)
    assert [lead.created_at for lead in leads] == [
        datetime(2026, 10, 1, 8, 30, tzinfo=UTC),
        datetime(2026, 10, 2, 15, 15, tzinfo=UTC),
    ]
    assert leads[0].description == "Wants a demo\nfor 400 vans"  # CR stripped as on the webhook
    assert leads[0].customer.company == "Fabrikam"


def test_a_row_whose_answer_window_closed_lands_expired_and_nobody_is_told(
    world: World,
) -> None:
    # 1 October + 14 days is long gone on 23 November: the marketplace gave up on it already.
    world.importer.run(ADMIN, None, io.BytesIO(EXPORT.encode()))
    world.process_queue()
    contact_me = next(lead for lead in world.leads.leads.values() if lead.requires_action)
    assert contact_me.outcome is Outcome.EXPIRED
    assert contact_me.customer.email is None  # as any expired lead: no contact details
    assert world.publisher.published == []  # no new-lead email, and no expiry notice later


def test_a_row_still_in_its_window_lands_to_be_answered(world: World) -> None:
    world.clock.instant = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    world.importer.run(ADMIN, None, io.BytesIO(EXPORT.encode()))
    world.process_queue()
    contact_me = next(lead for lead in world.leads.leads.values() if lead.requires_action)
    assert contact_me.status is LeadStatus.RECEIVED
    assert contact_me.customer.title == "CTO"
    assert len(world.publisher.published) == 1  # announced like any lead that needs an answer


def test_importing_the_same_file_again_lands_every_row_as_a_duplicate(world: World) -> None:
    world.importer.run(ADMIN, None, io.BytesIO(EXPORT.encode()))
    world.process_queue()
    world.queue.published.clear()
    world.importer.run(ADMIN, None, io.BytesIO(EXPORT.encode()))
    assert world.process_queue() == [JournalStatus.DUPLICATE, JournalStatus.DUPLICATE]
    assert len(world.leads.leads) == 2
    assert world.publisher.published == []  # both landed as history: nobody told, twice


def test_a_file_over_the_row_limit_is_refused_before_anything_is_written(world: World) -> None:
    header = "Email,LeadCreationDateTime\n"
    rows = "".join(f"c{i}@x.example,2026-10-01T00:00:00Z\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(PayloadTooLarge):
        world.importer.run(ADMIN, None, io.BytesIO((header + rows).encode()))
    assert world.journal.entries == {}


def test_a_header_without_the_creation_time_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.importer.run(ADMIN, None, io.BytesIO(b"Email,Name\nmia@x.example,Mia\n"))
    assert [error.field for error in refused.value.errors] == ["LeadCreationDateTime"]


def test_who_may_import_into_which_partner(world: World) -> None:
    body = b"Email,LeadCreationDateTime\nmia@x.example,2026-10-01T00:00:00Z\n"
    assert world.importer.run(OPERATOR, "contoso", io.BytesIO(body)).imported == 1
    with pytest.raises(InvalidInput):
        world.importer.run(OPERATOR, None, io.BytesIO(body))
    with pytest.raises(InvalidInput):
        world.importer.run(ADMIN, "fabrikam", io.BytesIO(body))
    reader = Principal(user_id="u", roles=frozenset({"Referrals.User"}), partner_id="contoso")
    with pytest.raises(Forbidden):
        world.importer.run(reader, None, io.BytesIO(body))


def test_text_that_is_not_utf8_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput):
        world.importer.run(ADMIN, None, io.BytesIO(b"Email,LeadCreationDateTime\n\xff\xfe,x\n"))
