"""A notifier wired to in-memory fakes of our own ports (and the real templates)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shared.adapters.jinja_email_renderer import JinjaEmailRenderer
from shared.domain.delivery import Delivery, DeliveryStatus
from shared.domain.lead import MARKETPLACE, Lead, LeadDetails
from shared.domain.lead_parts import Interaction, Sender
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    LeadType,
    Offer,
    Quality,
    QualityRating,
    View,
)
from shared.domain.notification import Notification, NotificationKind
from shared.domain.partner import Contact, Partner
from shared.services.email_context import EmailLinks
from shared.services.notification_plans import NotificationPlanner
from shared.services.notifier import Notifier
from tests.unit.fakes import InMemoryLeadRepository, InMemoryPartnerRepository, SteppingClock
from tests.unit.notification_fakes import (
    InMemoryDailyCounter,
    InMemoryPreferenceStore,
    InMemorySendLedger,
    ScriptedEmailSender,
)
from tests.unit.retry_fakes import RecordingRedeliveries, retries

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POLICY = LeadPolicy()
LINKS = EmailLinks("https://partners.test/app", "https://marketplace.test/partners")
VENDOR = "leads-desk@vendor.test"


@dataclass
class World:
    clock: SteppingClock = field(default_factory=lambda: SteppingClock(T0))
    partners: InMemoryPartnerRepository = field(default_factory=InMemoryPartnerRepository)
    leads: InMemoryLeadRepository = field(default_factory=InMemoryLeadRepository)
    preferences: InMemoryPreferenceStore = field(default_factory=InMemoryPreferenceStore)
    ledger: InMemorySendLedger = field(default_factory=InMemorySendLedger)
    counter: InMemoryDailyCounter = field(default_factory=InMemoryDailyCounter)
    sender: ScriptedEmailSender = field(default_factory=ScriptedEmailSender)
    queue: RecordingRedeliveries = field(default_factory=RecordingRedeliveries)
    threshold: int = 10
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def planner(self) -> NotificationPlanner:
        return NotificationPlanner(
            partners=self.partners,
            leads=self.leads,
            preferences=self.preferences,
            renderer=JinjaEmailRenderer(),
            policy=POLICY,
            links=LINKS,
            vendor_email=VENDOR,
        )

    @property
    def notifier(self) -> Notifier:
        return Notifier(
            planner=self.planner,
            ledger=self.ledger,
            counter=self.counter,
            sender=self.sender,
            clock=self.clock,
            retries=retries(self.queue),
            digest_threshold=self.threshold,
            max_dequeue_count=5,
            lease=timedelta(minutes=1),
        )

    def partner(self, *emails: str, time_zone: str = "UTC", partner_id: str = "contoso") -> Partner:
        contacts = [Contact(name=f"Contact {i}", email=email) for i, email in enumerate(emails)]
        return self.partners.add(
            Partner(
                partner_id=partner_id, name="Contoso Ltd", contacts=contacts,
                time_zone=time_zone, intake_key_hash="x", created_at=T0,
                intake_key_rotated_at=T0,
            )
        )  # fmt: skip

    def lead(
        self,
        *,
        company: str = "Fabrikam",
        at: datetime = T0,
        contact_me: bool = True,
        sender: Sender | None = None,
        partner_id: str = "contoso",
    ) -> Lead:
        details = LeadDetails(
            view=View.QUALIFIED if sender else View.MARKETPLACE,
            lead_type=LeadType.OFFER,
            interaction=Interaction(
                action_code="PLT" if contact_me else "INS",
                call_to_action=CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW,
                at=at,
            ),
            offer=Offer(id="fabrikam.fleet", title="Fleet Insights"),
            customer=Customer(
                first_name="Mia", last_name="Schmidt", email="mia@fabrikam.test",
                phone="+4930901820", company=company, country="DE",
            ),
            quality=Quality(rating=QualityRating.HIGH),
            requires_action=True,
            contact_requested=contact_me,
            sender=sender,
        )  # fmt: skip
        lead_id = f"lead-{next(self._ids)}"
        lead = Lead.receive(
            lead_id=lead_id, partner_id=partner_id, dedup_key=f"d-{lead_id}",
            details=details, actor=MARKETPLACE, now=at, policy=POLICY,
        )  # fmt: skip
        return self.leads.add(lead)

    def handle(
        self, notification: Notification, *, count: int = 1, message_id: str = "m1"
    ) -> DeliveryStatus:
        delivery = Delivery(message_id, count, notification.redelivery)
        return self.notifier.handle(notification, delivery)

    def retry_when_due(self) -> tuple[DeliveryStatus, timedelta]:
        """Let the copy the notifier put back become visible, and deliver it (a new message)."""
        copy, delay = self.queue.take()
        assert isinstance(copy, Notification)
        self.clock.advance(seconds=delay.total_seconds())
        return self.handle(copy, message_id=f"copy-{next(self._ids)}"), delay


def new_lead(lead: Lead, at: datetime | None = None) -> Notification:
    return Notification.about_lead(
        NotificationKind.NEW_LEAD,
        partner_id=lead.partner_id,
        lead_id=lead.id,
        now=at or lead.created_at,
    )


def about(kind: NotificationKind, lead: Lead, at: datetime = T0) -> Notification:
    return Notification.about_lead(kind, partner_id=lead.partner_id, lead_id=lead.id, now=at)
