"""Use cases for partners: register, rotate the intake key, recognise an intake call."""

from __future__ import annotations

import re
import secrets
import threading
import time
from typing import Annotated, Generic, TypeVar

from pydantic import Field

from shared.domain.errors import NotFound, Unauthenticated
from shared.domain.model import ApiModel
from shared.domain.partner import (
    PARTNER_ID_PATTERN,
    Contact,
    Partner,
    PartnerId,
    TimeZoneName,
    hash_intake_key,
)
from shared.services.ports import Clock, PartnerRepository

T = TypeVar("T")

# Compared against when the partner is unknown, so a wrong partner id costs the same time as a
# wrong key and the answer does not reveal which partners exist.
_DECOY_KEY_HASH = hash_intake_key("decoy-key-for-unknown-partners")


class RegisterPartner(ApiModel):
    partner_id: PartnerId
    name: Annotated[str, Field(min_length=1, max_length=200)]
    contacts: Annotated[list[Contact], Field(max_length=50)] = []
    time_zone: TimeZoneName = "UTC"


class IntakeCredentials(ApiModel):
    """Shown once: only the key's hash is stored."""

    partner_id: str
    intake_url: str
    intake_key: str


class PartnerCreated(IntakeCredentials):
    # What the operator should fix, e.g. no contact: nobody would get new-lead emails.
    warnings: list[str] = []


NO_CONTACT_WARNING = (
    "No contacts: nobody receives new-lead emails for this partner until its business profile "
    "admin adds one in Settings (PUT /api/profile/contacts)."
)


class PartnerService:
    def __init__(
        self,
        *,
        repository: PartnerRepository,
        clock: Clock,
        base_url: str,
        intake_cache_seconds: float = 30.0,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._base_url = base_url
        # Intake is the hot path: a cached partner makes an exact re-delivery one storage read.
        # Unknown partners are cached too, so known and unknown ids answer in the same time.
        self._intake_cache = _TtlCache[Partner | None](intake_cache_seconds)

    def register(self, command: RegisterPartner) -> PartnerCreated:
        key = _new_intake_key()
        now = self._clock.now()
        partner = Partner(
            partner_id=command.partner_id,
            name=command.name,
            contacts=command.contacts,
            time_zone=command.time_zone,
            intake_key_hash=hash_intake_key(key),
            created_at=now,
            intake_key_rotated_at=now,
        )
        self._repository.add(partner)
        self._intake_cache.forget(partner.partner_id)
        credentials = self.intake_credentials(partner.partner_id, key)
        return PartnerCreated(
            partner_id=credentials.partner_id,
            intake_url=credentials.intake_url,
            intake_key=credentials.intake_key,
            warnings=[] if command.contacts else [NO_CONTACT_WARNING],
        )

    def rotate_intake_key(self, partner_id: str) -> IntakeCredentials:
        partner = self.get(partner_id)
        key = _new_intake_key()
        rotated = partner.model_copy(
            update={
                "intake_key_hash": hash_intake_key(key),
                "intake_key_rotated_at": self._clock.now(),
            }
        )
        self._repository.replace(rotated)
        self._intake_cache.forget(partner_id)
        return self.intake_credentials(partner_id, key)

    def get(self, partner_id: str) -> Partner:
        partner = self._repository.find(partner_id)
        if partner is None:
            raise NotFound(f"No partner '{partner_id}'.")
        return partner

    def authenticate_intake(self, partner_id: str, presented_key: str | None) -> Partner:
        """The partner an intake call is for, if its key is right. Every failure looks alike.

        A key that does not match the cached partner is checked once more against storage, so
        a key rotated on another instance works at once; the old key keeps working on other
        instances for at most the cache lifetime (30 s).
        """
        presented = hash_intake_key(presented_key or "")
        partner = self._cached_partner(partner_id)
        if not _matches(presented, partner):
            self._intake_cache.forget(partner_id)
            partner = self._cached_partner(partner_id)
        if partner is None or not _matches(presented, partner):
            raise Unauthenticated("The intake key is missing or wrong.")
        return partner

    def _cached_partner(self, partner_id: str) -> Partner | None:
        if not _plausible_id(partner_id):
            return None
        found, partner = self._intake_cache.get(partner_id)
        if not found:
            partner = self._repository.find(partner_id)
            self._intake_cache.put(partner_id, partner)
        return partner

    def intake_credentials(self, partner_id: str, key: str) -> IntakeCredentials:
        """The intake URL that carries `key` (checked by authenticate_intake, not here)."""
        url = f"{self._base_url}/api/intake/{partner_id}/marketplace?key={key}"
        return IntakeCredentials(partner_id=partner_id, intake_url=url, intake_key=key)


def _matches(presented_hash: str, partner: Partner | None) -> bool:
    expected = partner.intake_key_hash if partner else _DECOY_KEY_HASH
    return secrets.compare_digest(presented_hash, expected) and partner is not None


class _TtlCache(Generic[T]):
    """A small per-worker cache; monotonic time, so the domain clock (tests' "as of") is unused."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._items: dict[str, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, T | None]:
        with self._lock:
            item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return False, None
        return True, item[1]

    def put(self, key: str, value: T) -> None:
        with self._lock:
            if len(self._items) > 10_000:  # bound memory against probing with random ids
                self._items.clear()
            self._items[key] = (time.monotonic() + self._seconds, value)

    def forget(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


def _new_intake_key() -> str:
    return secrets.token_urlsafe(32)


def _plausible_id(partner_id: str) -> bool:
    """Ids that cannot exist are refused without a storage read (they may not even be keys)."""
    return re.fullmatch(PARTNER_ID_PATTERN, partner_id) is not None
