"""The composition root: the one place that builds adapters and wires them into use cases.

Nothing here runs at import. `get_container()` builds the container on first use in a worker and
keeps it, so SDK clients (and their connection pools) are reused across invocations.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import Any

from shared.adapters.clock import SystemClock
from shared.adapters.jwt_token_verifier import JwtTokenVerifier
from shared.adapters.queue_notification_publisher import QueueNotificationPublisher
from shared.adapters.storage_account import StorageAccount
from shared.adapters.storage_health import StorageProbe
from shared.adapters.table_favorite_store import TableFavoriteStore
from shared.adapters.table_lead_lister import TableLeadLister
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.adapters.table_outbox_store import TableOutboxStore
from shared.adapters.table_partner_repository import TablePartnerRepository
from shared.config import Settings, load_settings
from shared.domain.lead_policy import LeadPolicy
from shared.services.customer_checks import SpamDomains
from shared.services.health import HealthReport, check_health
from shared.services.jobs import JobRegistry, JobRunner
from shared.services.lead_actions import LeadActions
from shared.services.lead_intake import IntakeService
from shared.services.lead_listing import LeadListing
from shared.services.outbox_relay import OutboxRelay
from shared.services.paging import PagingTokens
from shared.services.partners import PartnerService
from shared.services.ports import Clock, NotificationPublisher, TokenVerifier

PARTNERS_TABLE = "Partners"
LEADS_TABLE = "Leads"
# Signs continuation tokens when PAGING_TOKEN_SECRET is unset (local runs): tokens only carry
# positions inside the caller's own partition, so a known key exposes nothing.
DEV_PAGING_KEY = b"partner-leads-local-paging-key"


class Container:
    """Everything a trigger needs, built lazily and once."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        storage_policies: Sequence[Any] = (),
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._storage_policies = storage_policies

    @cached_property
    def storage(self) -> StorageAccount:
        return StorageAccount(self.settings, per_call_policies=self._storage_policies)

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
        )

    @cached_property
    def lead_repository(self) -> TableLeadRepository:
        return TableLeadRepository(self.storage.table(LEADS_TABLE))

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
            spam_domains=SpamDomains.load(),
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
        )

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
    def outbox_relay(self) -> OutboxRelay:
        return OutboxRelay(
            partners=self.partner_repository,
            outbox=TableOutboxStore(self.storage.table(LEADS_TABLE)),
            publisher=self.publisher,
        )

    @cached_property
    def jobs(self) -> JobRegistry:
        runners: dict[str, JobRunner] = {"relay-outbox": self.outbox_relay.run}
        return JobRegistry(runners)

    def health(self) -> HealthReport:
        storage = self.storage
        return check_health(
            [
                StorageProbe("tables", lambda: _first(storage.tables.list_tables(**_NO_RETRY))),
                StorageProbe("queues", lambda: _first(storage.queues.list_queues(**_NO_RETRY))),
                StorageProbe("blobs", lambda: _first(storage.blobs.list_containers(**_NO_RETRY))),
            ]
        )


# A health check answers now: retrying would only make a load balancer wait.
_NO_RETRY: dict[str, Any] = {"retry_total": 0, "results_per_page": 1}


def _first(items: Any) -> object:
    """One page's first item: enough to prove the service answers, without listing it all."""
    return next(iter(items.by_page()), None)


_container: Container | None = None
_lock = threading.Lock()


def get_container() -> Container:
    """The worker's container, built on first use from the environment's settings."""
    global _container  # noqa: PLW0603  # the one process-wide singleton, by design
    if _container is None:
        with _lock:
            if _container is None:
                _container = Container(load_settings())
    return _container


def reset_container() -> None:
    """Forget the container (tests that change the environment between cases)."""
    global _container  # noqa: PLW0603
    with _lock:
        _container = None
