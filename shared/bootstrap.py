"""The composition root: the one place that builds adapters and wires them into use cases.

Nothing here runs at import. `get_container()` builds the container on first use in a worker and
keeps it, so SDK clients (and their connection pools) are reused across invocations.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from functools import cached_property, partial
from pathlib import Path

from shared.adapters.blob_outbox_email_sender import OUTBOX_CONTAINER, BlobOutboxEmailSender
from shared.adapters.clock import SystemClock
from shared.adapters.directory_asset_store import DirectoryAssetStore
from shared.adapters.jinja_email_renderer import JinjaEmailRenderer
from shared.adapters.jwt_token_minter import JwtTokenMinter
from shared.adapters.jwt_token_verifier import JwtTokenVerifier
from shared.adapters.queue_delivery_publisher import QueueDeliveryPublisher
from shared.adapters.queue_notification_publisher import QueueNotificationPublisher
from shared.adapters.queue_poison_desk import QueuePoisonDesk
from shared.adapters.queue_redeliveries import QueueRedeliveries
from shared.adapters.queue_work_queue import QueueWorkQueue
from shared.adapters.sendgrid_email_sender import SendGridEmailSender
from shared.adapters.sendgrid_health import SendGridSettingsProbe
from shared.adapters.storage_account import StorageAccount
from shared.adapters.storage_health import ProbeClients, StorageQueueGauge
from shared.adapters.table_daily_counter import TableDailyCounter
from shared.adapters.table_delivery_journal import TableDeliveryJournal
from shared.adapters.table_digest_holds import TableDigestHolds
from shared.adapters.table_due_leads import TableDueLeads
from shared.adapters.table_event_log import TableEventLog
from shared.adapters.table_failed_notifications import TableFailedNotifications
from shared.adapters.table_favorite_store import TableFavoriteStore
from shared.adapters.table_feed_reader import TableFeedReader
from shared.adapters.table_lead_index_audit import TableLeadIndexAudit
from shared.adapters.table_lead_lister import TableLeadLister
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.adapters.table_outbox_store import TableOutboxStore
from shared.adapters.table_partner_overview import TablePartnerOverview
from shared.adapters.table_partner_repository import TablePartnerRepository
from shared.adapters.table_preference_store import TablePreferenceStore
from shared.adapters.table_send_ledger import TableSendLedger
from shared.adapters.table_team_store import TablePoolRotation, TableTeamStore
from shared.adapters.telemetry import configure_telemetry
from shared.bootstrap_webhooks import Webhooks
from shared.config import Settings, app_queues, load_settings
from shared.domain.lead_policy import LeadPolicy
from shared.domain.redelivery import RetryPolicy
from shared.services import job_names
from shared.services.change_feed import ChangeFeed
from shared.services.customer_checks import SpamDomains
from shared.services.daily_digests import DailyDigests
from shared.services.delivery_desk import DeliveryDesk
from shared.services.delivery_door import DeliveryDoor
from shared.services.delivery_messages import DeliveryMessages
from shared.services.delivery_processor import DeliveryProcessor
from shared.services.delivery_relay import DeliveryRelay
from shared.services.dev_sign_in import DevSignIn
from shared.services.email_context import EmailLinks
from shared.services.event_retention import EventRetention
from shared.services.failure_index import FailureIndexingLedger
from shared.services.health import HealthCheck
from shared.services.insights import PartnerInsights
from shared.services.job_wiring import JobPorts
from shared.services.jobs import JobRegistry, JobRunner
from shared.services.lead_actions import LeadActions
from shared.services.lead_assignment import LeadAssignment
from shared.services.lead_events import LeadEvents
from shared.services.lead_import import LeadImport
from shared.services.lead_intake import IntakeService
from shared.services.lead_listing import LeadListing
from shared.services.lead_reindex import LeadReindex
from shared.services.lead_sweeps import AGE_OUT, EXPIRE, LeadSweep, SweepRule
from shared.services.notification_feed import NotificationFeed
from shared.services.notification_plans import NotificationPlanner
from shared.services.notification_ports import EmailSender
from shared.services.notification_settings import NotificationSettings
from shared.services.notifier import Notifier
from shared.services.operator_jobs import JobRunners, OperatorJobs
from shared.services.operator_notifications import OperatorNotifications
from shared.services.operator_partners import OperatorPartners
from shared.services.operator_queues import OperatorQueues
from shared.services.outbox_relay import OutboxRelay
from shared.services.paging import PagingTokens
from shared.services.partner_jobs import PartnerJobs
from shared.services.partners import PartnerService
from shared.services.ports import Clock, NotificationPublisher, TokenVerifier
from shared.services.queue_watch import QueueWatch
from shared.services.reminder_sweeps import ReminderSweep
from shared.services.retries import Retries
from shared.services.routing import LeadRouter, RoutingSettingsService
from shared.services.stale_lead_escalation import ESCALATE
from shared.services.team import TeamRoster
from shared.services.ui_config import UiSetup, dev_sign_in_allowed, msal_config
from shared.services.ui_pages import UiPages

logger = logging.getLogger(__name__)
PARTNERS_TABLE = "Partners"
LEADS_TABLE = "Leads"
DELIVERIES_TABLE = "Deliveries"
# Signs continuation tokens when PAGING_TOKEN_SECRET is unset (local runs): tokens only carry
# positions inside the caller's own partition, so a known key exposes nothing.
DEV_PAGING_KEY = b"partner-leads-local-paging-key"
# The partner UI's static files, deployed with the app (see .funcignore).
UI_ROOT = Path(__file__).resolve().parents[1] / "ui"


class Container:
    """Everything a trigger needs, built lazily and once."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()

    @cached_property
    def storage(self) -> StorageAccount:
        return StorageAccount(self.settings)

    @cached_property
    def token_verifier(self) -> TokenVerifier:
        return JwtTokenVerifier(
            issuer=self.settings.auth_issuer,
            audience=self.settings.auth_audience,
            public_key_pem=self.settings.auth_public_key,
            jwks_url=self.settings.auth_jwks_url,
        )

    @cached_property
    def partner_repository(self) -> TablePartnerRepository:
        return TablePartnerRepository(self.storage.table(PARTNERS_TABLE))

    @cached_property
    def partners(self) -> PartnerService:
        return PartnerService(
            repository=self.partner_repository, clock=self.clock, base_url=self.settings.base_url
        )

    @cached_property
    def lead_policy(self) -> LeadPolicy:
        settings = self.settings
        return LeadPolicy(
            respond_window=timedelta(days=settings.respond_window_days),
            hot_window=timedelta(hours=settings.hot_window_hours),
            informational_retention_months=settings.informational_retention_months,
            reminder_before=timedelta(hours=settings.reminder_hours),
        )

    @cached_property
    def lead_repository(self) -> TableLeadRepository:
        return TableLeadRepository(
            self.storage.table(LEADS_TABLE),
            clock=self.clock,
            write_deadline=timedelta(seconds=self.settings.event_write_deadline_seconds),
        )

    # -- the event log: appended in each change's batch, read by the feed and the webhooks -----

    @cached_property
    def lead_events(self) -> LeadEvents:
        return LeadEvents(policy=self.lead_policy)

    @cached_property
    def event_log(self) -> TableEventLog:
        return TableEventLog(
            self.storage.table(LEADS_TABLE),
            clock=self.clock,
            settle=timedelta(seconds=self.settings.event_feed_settle_seconds),
        )

    @cached_property
    def change_feed(self) -> ChangeFeed:
        return ChangeFeed(feed=self.event_log)

    @cached_property
    def publisher(self) -> NotificationPublisher:
        return QueueNotificationPublisher(self.storage.queue(self.settings.notifications_queue))

    @cached_property
    def intake(self) -> IntakeService:
        return IntakeService(
            partners=self.partners,
            leads=self.lead_repository,
            publisher=self.publisher,
            clock=self.clock,
            policy=self.lead_policy,
            spam_domains=self.spam_domains,
            events=self.lead_events,
            activity=self.partner_overview,
            router=self.lead_router,
        )

    @cached_property
    def spam_domains(self) -> SpamDomains:
        return SpamDomains.load()

    # -- the intake journal: acknowledge, process, relay, operate ------------------------------

    @cached_property
    def delivery_journal(self) -> TableDeliveryJournal:
        return TableDeliveryJournal(self.storage.table(DELIVERIES_TABLE))

    @cached_property
    def delivery_queue(self) -> QueueDeliveryPublisher:
        return QueueDeliveryPublisher(self.storage.queue(self.settings.deliveries_queue))

    @cached_property
    def delivery_door(self) -> DeliveryDoor:
        return DeliveryDoor(
            partners=self.partners,
            journal=self.delivery_journal,
            queue=self.delivery_queue,
            clock=self.clock,
        )

    @cached_property
    def delivery_messages(self) -> DeliveryMessages:
        return DeliveryMessages(
            processor=self.delivery_processor,
            retries=self.retries_for(self.settings.deliveries_queue),
            clock=self.clock,
            max_dequeue_count=self.settings.queue_max_dequeue_count,
        )

    @cached_property
    def delivery_processor(self) -> DeliveryProcessor:
        return DeliveryProcessor(
            journal=self.delivery_journal,
            intake=self.intake,
            clock=self.clock,
            spam_domains=self.spam_domains,
        )

    @cached_property
    def delivery_desk(self) -> DeliveryDesk:
        secret = self.settings.paging_token_secret
        return DeliveryDesk(
            journal=self.delivery_journal,
            queue=self.delivery_queue,
            clock=self.clock,
            tokens=PagingTokens(secret.get_secret_value().encode() if secret else DEV_PAGING_KEY),
        )

    @cached_property
    def lead_import(self) -> LeadImport:
        return LeadImport(
            partners=self.partners,
            journal=self.delivery_journal,
            queue=self.delivery_queue,
            clock=self.clock,
            spam_domains=self.spam_domains,
        )

    @cached_property
    def favorites(self) -> TableFavoriteStore:
        return TableFavoriteStore(self.storage.table(LEADS_TABLE))

    @cached_property
    def lead_actions(self) -> LeadActions:
        return LeadActions(
            leads=self.lead_repository,
            favorites=self.favorites,
            publisher=self.publisher,
            clock=self.clock,
            policy=self.lead_policy,
            events=self.lead_events,
        )

    # -- the partner's Team, lead owners and routing ---------------------------------

    @cached_property
    def team_store(self) -> TableTeamStore:
        return TableTeamStore(self.storage.table(PARTNERS_TABLE))

    @cached_property
    def team_roster(self) -> TeamRoster:
        return TeamRoster(store=self.team_store, partners=self.partners, clock=self.clock)

    @cached_property
    def routing_settings(self) -> RoutingSettingsService:
        return RoutingSettingsService(
            store=self.team_store, team=self.team_roster, summary=self.partner_overview
        )

    @cached_property
    def lead_router(self) -> LeadRouter:
        return LeadRouter(
            settings=self.routing_settings,
            team=self.team_roster,
            rotation=TablePoolRotation(self.storage.table(LEADS_TABLE)),
            clock=self.clock,
        )

    @cached_property
    def lead_assignment(self) -> LeadAssignment:
        return LeadAssignment(actions=self.lead_actions, team=self.team_roster, clock=self.clock)

    @cached_property
    def lead_listing(self) -> LeadListing:
        secret = self.settings.paging_token_secret
        return LeadListing(
            lister=TableLeadLister(self.storage.table(LEADS_TABLE)),
            leads=self.lead_repository,
            favorites=self.favorites,
            clock=self.clock,
            policy=self.lead_policy,
            tokens=PagingTokens(secret.get_secret_value().encode() if secret else DEV_PAGING_KEY),
        )

    @cached_property
    def insights(self) -> PartnerInsights:
        return PartnerInsights(
            lister=TableLeadLister(self.storage.table(LEADS_TABLE)), clock=self.clock
        )

    # -- notifications: the queue-triggered sender, the feed, who is emailed ----------

    @cached_property
    def email_sender(self) -> EmailSender:
        settings = self.settings
        sender = settings.email_from or "leads@localhost"
        if settings.sendgrid_api_key is None:  # local and staging: emails land in a blob
            container = self.storage.container(OUTBOX_CONTAINER)
            return BlobOutboxEmailSender(container=container, sender=sender, clock=self.clock)
        return SendGridEmailSender(
            api_key=settings.sendgrid_api_key.get_secret_value(),
            host=settings.sendgrid_api_host,
            sender=sender,
            timeout_seconds=settings.sendgrid_timeout_seconds,
        )

    @cached_property
    def preference_store(self) -> TablePreferenceStore:
        return TablePreferenceStore(self.storage.table(PARTNERS_TABLE))

    @cached_property
    def notifier(self) -> Notifier:
        settings = self.settings
        leads = self.storage.table(LEADS_TABLE)
        planner = NotificationPlanner(
            partners=self.partner_repository,
            leads=self.lead_repository,
            preferences=self.preference_store,
            renderer=JinjaEmailRenderer(),
            policy=self.lead_policy,
            links=EmailLinks(settings.ui_base_url, settings.marketplace_url),
            vendor_email=settings.vendor_notification_email,
            team=self.team_store,
        )
        return Notifier(
            planner=planner,
            # Failed sends are also listed for operators (their resend).
            ledger=FailureIndexingLedger(
                TableSendLedger(leads), self.failed_notifications, self.clock
            ),
            counter=TableDailyCounter(leads),
            sender=self.email_sender,
            clock=self.clock,
            retries=self.retries_for(settings.notifications_queue),
            digest_threshold=settings.digest_threshold,
            max_dequeue_count=settings.queue_max_dequeue_count,
            # Outlasts a send (SendGrid timeout) and its bookkeeping, well under the host's
            # 10-minute invisibility of a running message.
            lease=timedelta(seconds=settings.send_lease_or_default),
        )

    def retries_for(self, queue_name: str) -> Retries:
        """Back-off retries of the messages of one queue, through copies put back on it."""
        settings = self.settings
        policy = RetryPolicy(
            base=timedelta(seconds=settings.queue_retry_base_seconds),
            cap=timedelta(seconds=settings.queue_retry_max_seconds),
            give_up_after=timedelta(hours=settings.queue_retry_give_up_hours),
        )
        storage = self.storage
        queue = QueueRedeliveries(storage.queue(queue_name), storage.queue(f"{queue_name}-poison"))
        return Retries(policy=policy, queue=queue)

    @cached_property
    def digest_holds(self) -> TableDigestHolds:
        return TableDigestHolds(self.storage.table(LEADS_TABLE))

    @cached_property
    def notification_feed(self) -> NotificationFeed:
        secret = self.settings.paging_token_secret
        return NotificationFeed(
            reader=TableFeedReader(self.storage.table(LEADS_TABLE)),
            tokens=PagingTokens(secret.get_secret_value().encode() if secret else DEV_PAGING_KEY),
        )

    @cached_property
    def notification_settings(self) -> NotificationSettings:
        return NotificationSettings(
            partners=self.partner_repository, preferences=self.preference_store, clock=self.clock
        )

    # -- the partner UI: its pages, its sign-in settings, the local dev sign-in -------

    @cached_property
    def ui_setup(self) -> UiSetup:
        settings = self.settings
        return UiSetup(
            msal=msal_config(
                client_id=settings.ui_client_id,
                authority=settings.ui_authority,
                scopes=settings.ui_scopes,
                issuer=settings.auth_issuer,
                audience=settings.auth_audience,
            ),
            dev_sign_in=self.dev_sign_in.available,
            hot_window_hours=settings.hot_window_hours,
            respond_window_days=settings.respond_window_days,
        )

    @cached_property
    def ui_pages(self) -> UiPages:
        return UiPages(
            store=DirectoryAssetStore(UI_ROOT),
            content_security_policy=self.ui_setup.content_security_policy(),
        )

    @cached_property
    def dev_sign_in(self) -> DevSignIn:
        settings = self.settings
        key = settings.dev_signing_key
        allowed = dev_sign_in_allowed(
            enabled=settings.dev_sign_in_enabled,
            has_key=key is not None,
            on_platform=settings.on_platform,
        )
        if settings.dev_sign_in_enabled and not allowed:
            logger.warning("DEV_SIGN_IN_ENABLED is ignored: on the platform, or no DEV_SIGNING_KEY")
        if not allowed or key is None:
            return DevSignIn(minter=None, clock=self.clock)
        minter = JwtTokenMinter(
            private_key_pem=key.get_secret_value(),
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
        )
        return DevSignIn(minter=minter, clock=self.clock)

    # -- the lifecycle jobs: due indexes, digests, fanned out over the work queue -----

    @cached_property
    def _live_job_ports(self) -> JobPorts:
        return JobPorts(
            due=TableDueLeads(self.storage.table(LEADS_TABLE), self.lead_repository),
            leads=self.lead_repository,
            publisher=self.publisher,
            holds=self.digest_holds,
            outbox=TableOutboxStore(self.storage.table(LEADS_TABLE)),
            work=QueueWorkQueue(self.storage.queue(self.settings.work_queue)),
            journal=self.delivery_journal,
            delivery_queue=self.delivery_queue,
            events=self.event_log,
            index_audit=TableLeadIndexAudit(self.storage.table(LEADS_TABLE)),
        )

    def _job_runners(self, ports: JobPorts, *, preview: bool = False) -> JobRunners:
        clock, policy = self.clock, self.lead_policy

        def sweep(rule: SweepRule) -> LeadSweep:
            return LeadSweep(
                rule=rule,
                due=ports.due,
                leads=ports.leads,
                publisher=ports.publisher,
                clock=clock,
                events=self.lead_events,
            )

        partner_jobs = PartnerJobs(
            jobs={
                job_names.EXPIRE_LEADS: sweep(EXPIRE),
                job_names.ARCHIVE_INFORMATIONAL_LEADS: sweep(AGE_OUT),
                job_names.ESCALATE_STALE_LEADS: sweep(ESCALATE),
                job_names.REMIND_EXPIRING: ReminderSweep(
                    reminder_before=policy.reminder_before,
                    due=ports.due,
                    leads=ports.leads,
                    publisher=ports.publisher,
                    clock=clock,
                    events=self.lead_events,
                ),
                job_names.SEND_DIGESTS: DailyDigests(
                    partners=self.partner_repository,
                    holds=ports.holds,
                    publisher=ports.publisher,
                    clock=clock,
                ),
                job_names.REINDEX_LEADS: LeadReindex(audit=ports.index_audit, leads=ports.leads),
                job_names.PRUNE_EVENTS: EventRetention(
                    log=ports.events,
                    keep_for=timedelta(days=self.settings.event_retention_days),
                ),
            },
            partners=self.partner_repository,
            queue=ports.work,
            retries=self.retries_for(self.settings.work_queue),
            clock=clock,
            # 25 partners a message, at most ~1,000 leads changed per invocation (a batch and a
            # queue write each): well under a minute, far from the timeout, spread over instances.
            partners_per_order=25,
            leads_per_order=1000,
            preview=preview,
        )
        outbox = OutboxRelay(
            partners=self.partner_repository,
            outbox=ports.outbox,
            publisher=ports.publisher,
            clock=clock,
        )
        deliveries = DeliveryRelay(journal=ports.journal, queue=ports.delivery_queue)
        runners: dict[str, JobRunner] = {
            job_names.RELAY_OUTBOX: outbox.run,
            job_names.RELAY_DELIVERIES: deliveries.run,
            job_names.DISPATCH_WEBHOOKS: (
                self.webhooks.dry_dispatcher if preview else self.webhooks.dispatcher
            ).run,
        }
        runners |= {name: partial(partner_jobs.run, name) for name in partner_jobs.names}
        return JobRunners(jobs=JobRegistry(runners), partner_jobs=partner_jobs)

    @cached_property
    def _live_jobs(self) -> JobRunners:
        return self._job_runners(self._live_job_ports)

    @cached_property
    def partner_jobs(self) -> PartnerJobs:
        return self._live_jobs.partner_jobs

    @cached_property
    def webhooks(self) -> Webhooks:
        return Webhooks(
            self.settings, self.storage, self.clock, feed=self.event_log,
            summary=self.partner_overview,
        )  # fmt: skip

    @cached_property
    def jobs(self) -> JobRegistry:
        return self._live_jobs.jobs

    @cached_property
    def operator_jobs(self) -> OperatorJobs:
        return OperatorJobs(
            live=self._live_jobs,
            # The same jobs over ports that read as the live ones and write nothing.
            dry=self._job_runners(self._live_job_ports.dry(), preview=True),
            partners=self.partner_repository,
            clock=self.clock,
        )

    # -- operators: partners at a glance, poison queues, failed notifications -----------

    @cached_property
    def partner_overview(self) -> TablePartnerOverview:
        return TablePartnerOverview(self.storage.table(PARTNERS_TABLE))

    @cached_property
    def failed_notifications(self) -> TableFailedNotifications:
        storage = self.storage
        return TableFailedNotifications(storage.table(PARTNERS_TABLE), storage.table(LEADS_TABLE))

    @cached_property
    def operator_partners(self) -> OperatorPartners:
        return OperatorPartners(
            overview=self.partner_overview,
            partners=self.partner_repository,
            clock=self.clock,
            tokens=self._paging_tokens,
        )

    @cached_property
    def operator_queues(self) -> OperatorQueues:
        settings = self.settings
        names = {
            "deliveries": settings.deliveries_queue,
            "notifications": settings.notifications_queue,
            "work": settings.work_queue,
            "webhook-deliveries": settings.webhook_deliveries_queue,
        }
        return OperatorQueues(queues=QueuePoisonDesk(self.storage.queues), names=names)

    @cached_property
    def operator_notifications(self) -> OperatorNotifications:
        return OperatorNotifications(
            failed=self.failed_notifications, publisher=self.publisher, tokens=self._paging_tokens
        )

    @cached_property
    def _paging_tokens(self) -> PagingTokens:
        secret = self.settings.paging_token_secret
        return PagingTokens(secret.get_secret_value().encode() if secret else DEV_PAGING_KEY)

    @cached_property
    def _probe_clients(self) -> ProbeClients:
        return ProbeClients(self.settings, lambda: self.storage.credential)

    @cached_property
    def health(self) -> HealthCheck:
        probes = self._probe_clients
        return HealthCheck(
            [*probes.probes(), SendGridSettingsProbe(self.settings)],
            StorageQueueGauge(probes),
            queues=app_queues(self.settings),
        )

    @cached_property
    def queue_watch(self) -> QueueWatch:
        return QueueWatch(StorageQueueGauge(self._probe_clients), app_queues(self.settings))


_container: Container | None = None
_lock = threading.Lock()


def get_container() -> Container:
    """The worker's container, built on first use from the environment's settings."""
    global _container  # noqa: PLW0603  # the one process-wide singleton, by design
    if _container is None:
        with _lock:
            if _container is None:
                settings = load_settings()
                # Once per worker, before the first invocation's work: its spans are exported.
                configure_telemetry(settings)
                _container = Container(settings)
    return _container


def reset_container() -> None:
    """Forget the container (tests that change the environment between cases)."""
    global _container  # noqa: PLW0603
    with _lock:
        _container = None
