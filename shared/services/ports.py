"""The small interfaces the use cases depend on. Adapters implement them; tests fake them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from shared.domain.lead import Lead
from shared.domain.lead_values import (
    CallToAction,
    EmailValidity,
    LeadStatus,
    LeadType,
    Outcome,
    PhoneValidity,
    QualityRating,
    Storefront,
    View,
)
from shared.domain.notification import Notification
from shared.domain.partner import Partner
from shared.domain.principal import Principal
from shared.services.event_ports import LeadChangeEvent


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class PartnerRepository(Protocol):
    def add(self, partner: Partner) -> Partner:
        """Store a new partner; `Conflict` if the id is taken."""
        ...

    def find(self, partner_id: str) -> Partner | None: ...

    def replace(self, partner: Partner) -> Partner:
        """Write back a partner read earlier; `ConcurrentModification` if it changed since."""
        ...


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal:
        """The caller a bearer token proves; `Unauthenticated` for any bad token."""
        ...


@dataclass(frozen=True, slots=True)
class DedupRecord:
    """Which lead a customer-and-offer pair belongs to, and where that lead stands."""

    lead_id: str
    archived: bool
    stages: frozenset[str]
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first answer to a request carrying an Idempotency-Key, and a hash of its body."""

    key: str
    body_hash: str
    lead_id: str
    receipt: str  # the first answer, as JSON, returned again for a retry


@dataclass(frozen=True, slots=True)
class PoolTurn:
    """The turn of a routing pool a lead drew, and the version of the pool's counter it read
    (None: the counter did not exist yet)."""

    partner_id: str
    pool_key: str
    turn: int
    etag: str | None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    notification: Notification
    attempts: int
    next_relay_at: datetime
    etag: str | None = None


class LeadRepository(Protocol):
    def find_dedup(self, partner_id: str, dedup_key: str) -> DedupRecord | None:
        """One point read: enough to answer an exact re-delivery."""
        ...

    def get(self, partner_id: str, lead_id: str) -> Lead:
        """`NotFound` if the partner has no such lead."""
        ...

    def add(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        replaces: DedupRecord | None = None,
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        """Store a new lead with its index rows, owed notifications and log events, all or
        nothing.

        `ConcurrentModification` when another request claimed the same customer-and-offer
        first: the caller re-reads and decides again.
        """
        ...

    def save(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        """Write back a lead read earlier (ETag-checked), its index rows, notifications and log
        events (lead_events.py), all or nothing, and advance a routing pool past `turn`
        (`ConcurrentModification` if either changed)."""
        ...

    def find_idempotency(self, partner_id: str, key: str) -> IdempotencyRecord | None: ...

    def remember_idempotency(self, partner_id: str, record: IdempotencyRecord) -> IdempotencyRecord:
        """Keep the first answer for a key; if one was kept already, return that one instead."""
        ...


class OutboxStore(Protocol):
    def pending(self, partner_id: str, due_by: datetime) -> list[OutboxEntry]:
        """Notifications still owed whose relay time has come."""
        ...

    def reschedule(self, entry: OutboxEntry, next_relay_at: datetime) -> None: ...


class NotificationPublisher(Protocol):
    def publish(self, notifications: Sequence[Notification]) -> None:
        """Put the notifications on the queue; raises `DependencyUnavailable` if it cannot."""
        ...


@dataclass(frozen=True, slots=True)
class LeadFilter:
    """What a list or export keeps; each field narrows, None means "any"."""

    status: LeadStatus | None = None
    outcome: Outcome | None = None
    call_to_action: CallToAction | None = None
    country: str | None = None
    company_prefix: str | None = None
    search_term: str | None = None  # normalised `q`: served by the search index, not a column
    source: Storefront | None = None
    lead_type: LeadType | None = None
    quality: QualityRating | None = None
    email_validity: EmailValidity | None = None
    phone_validity: PhoneValidity | None = None
    hot: bool | None = None
    hot_since: datetime | None = None  # arrival after which a contact-requested lead is hot
    owner_key: str | None = None  # a member id, or "-" for unowned leads (lead_rows.NO_OWNER)
    include_test: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class Resume:
    """Where a scan goes on: after a listed lead's key and, mid-scan, the store's own
    continuation for that same query (opaque; a page its filters emptied has no last key)."""

    after: str | None = None
    continuation: dict[str, str] | None = None


class ListingRange(StrEnum):
    """The key ranges a partner's listing copies are kept in, each newest first."""

    AWAITING = "awaiting"  # Received leads an accept or decline is still owed for
    ACTIVE = "active"  # every other lead not archived
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class ListedLead:
    key: str  # its place in list order; Resume(key) goes on after it
    lead: Lead


@dataclass(frozen=True, slots=True)
class LeadBatch:
    items: list[ListedLead]
    resume: Resume | None  # None: nothing more in this range


class LeadLister(Protocol):
    def page(
        self,
        partner_id: str,
        view: View,
        *,
        listing: ListingRange,
        filters: LeadFilter,
        resume: Resume | None,
        limit: int,
    ) -> LeadBatch:
        """One storage page of a listing range, newest first; may be short, even empty, with
        more to come."""
        ...

    def awaiting_page(
        self,
        partner_id: str,
        view: View,
        *,
        filters: LeadFilter,
        resume: Resume | None,
        limit: int,
    ) -> LeadBatch:
        """A page of the leads waiting for an answer (the expiry index), soonest respondBy first."""
        ...

    def search_page(
        self,
        partner_id: str,
        view: View,
        *,
        term: str,
        archived: bool | None,
        filters: LeadFilter,
        resume: Resume | None,
        limit: int,
    ) -> LeadBatch:
        """A page of the search index under `term` (normalised): a lead once per matching term,
        in term order. `archived`: only archived (True), only active (False), both (None)."""
        ...


class FavoriteStore(Protocol):
    """Each user's own heart marks (favourites are per user, docs/http-contract.md)."""

    def add(self, partner_id: str, user_id: str, lead: Lead) -> None: ...

    def remove(self, partner_id: str, user_id: str, lead: Lead) -> None: ...

    def is_favorite(self, partner_id: str, user_id: str, lead_id: str) -> bool: ...

    def favorite_ids(self, partner_id: str, user_id: str) -> list[str]:
        """The user's favourites, newest lead first."""
        ...


class PartnerDirectory(Protocol):
    def partner_ids(self) -> Iterator[str]:
        """Every registered partner, for jobs that visit each partner's partition."""
        ...
