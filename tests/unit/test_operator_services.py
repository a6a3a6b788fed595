"""The operators' rules without I/O: who would hear of a new lead, a dry run's single pass, and
which send outcomes are listed as failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.delivery import Completion, DeliveryStatus, FeedItem, LedgerEntry
from shared.domain.notification import Notification, NotificationKind
from shared.domain.partner import Contact, Partner
from shared.domain.recipients import EmailPreferences
from shared.services.failure_index import FailureIndexingLedger
from shared.services.operator_partners import NOBODY_ALL_OFF, NOBODY_NO_CONTACTS, overview
from shared.services.operator_ports import FailedNotification, PartnerRecord, PartnerSummary
from shared.services.partner_jobs import CUT_SHORT, PartnerJobs
from tests.unit.fakes import SteppingClock
from tests.unit.job_fakes import RecordingWorkQueue, StaticPartnerDirectory
from tests.unit.retry_fakes import RecordingRedeliveries, retries
from tests.unit.test_partner_jobs import AS_OF, BacklogJob

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ANA = Contact(name="Ana", email="ana@contoso.example")


def _record(
    contacts: list[Contact], users: list[EmailPreferences], *, failing_webhooks: int = 0
) -> PartnerRecord:
    partner = Partner(
        partner_id="contoso",
        name="Contoso",
        contacts=contacts,
        intake_key_hash="0" * 64,
        created_at=NOW - timedelta(days=40),
        intake_key_rotated_at=NOW - timedelta(days=30, hours=1),
    )
    summary = PartnerSummary(failing_webhooks=failing_webhooks)
    return PartnerRecord(partner, summary, users, failed_notifications=0)


def test_a_partner_without_contacts_or_whose_contacts_all_opted_out_reaches_nobody() -> None:
    off = EmailPreferences(user_id="u1", sign_in_email="ANA@contoso.example", email_enabled=False)
    elsewhere = EmailPreferences(user_id="u1", sign_in_email="ana@contoso.example", email="a@b.io")

    assert overview(_record([], []), NOW).warnings == [NOBODY_NO_CONTACTS]
    assert overview(_record([ANA], [off]), NOW).warnings == [NOBODY_ALL_OFF]
    reached = overview(_record([ANA], [elsewhere]), NOW)
    assert (reached.recipients, reached.warnings, reached.intake_key_age_days) == (1, [], 30)
    failing = overview(_record([ANA], [], failing_webhooks=2), NOW)
    assert failing.warnings == ["2 webhook subscription(s) failing."]


def test_a_dry_run_is_one_pass_per_partner_up_to_the_limit() -> None:
    job = BacklogJob({"a": 250, "b": 10})
    jobs = PartnerJobs(
        jobs={"backlog": job},
        partners=StaticPartnerDirectory(["a", "b"]),
        queue=RecordingWorkQueue(),
        retries=retries(RecordingRedeliveries()),
        clock=SteppingClock(AS_OF),
        partners_per_order=25,
        leads_per_order=100,
        preview=True,
    )
    counts = jobs.run("backlog", AS_OF)
    assert job.calls == [("a", 100), ("b", 100)]  # what is due stays due: never looped
    assert (counts["done"], counts[CUT_SHORT]) == (110, 1)


class _Ledger:
    def __init__(self) -> None:
        self.completed: list[Completion] = []

    def find(self, partner_id: str, notification_id: str) -> LedgerEntry | None:
        return None

    def claim(
        self,
        notification: Notification,
        previous: LedgerEntry | None,
        *,
        lease_until: datetime,
        message_id: str,
        feed: FeedItem | None,
    ) -> LedgerEntry:
        return LedgerEntry(notification.partner_id, notification.id, DeliveryStatus.SENDING)

    def release(self, entry: LedgerEntry, *, reason: str, retry_at: datetime) -> None:
        return None

    def complete(self, entry: LedgerEntry, completion: Completion) -> None:
        self.completed.append(completion)


class _Index:
    def __init__(self) -> None:
        self.recorded: list[FailedNotification] = []

    def record(self, failed: FailedNotification) -> None:
        self.recorded.append(failed)


def test_only_a_failed_outcome_is_listed_with_the_notification_claimed() -> None:
    ledger, index = _Ledger(), _Index()
    indexing = FailureIndexingLedger(ledger, index, SteppingClock(NOW))  # type: ignore[arg-type]
    sent, failed = (
        Notification.about_lead(NotificationKind.NEW_LEAD, partner_id="p", lead_id=lead, now=NOW)
        for lead in ("l1", "l2")
    )
    for notification, outcome in ((sent, DeliveryStatus.SENT), (failed, DeliveryStatus.FAILED)):
        entry = indexing.claim(notification, None, lease_until=NOW, message_id="m", feed=None)
        indexing.complete(entry, Completion(outcome, reason="SendGrid refused the email (400)."))

    (listed,) = index.recorded
    assert (listed.notification_id, listed.lead_id, listed.kind) == (failed.id, "l2", "NewLead")
    assert listed.notification == failed
    assert (listed.reason, listed.failed_at, listed.retryable) == (
        "SendGrid refused the email (400).",
        NOW,
        False,
    )
    assert len(ledger.completed) == 2  # the ledger records every outcome first
