"""Use cases for partners: register, rotate the intake key, recognise an intake call."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

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


class PartnerService:
    def __init__(self, *, repository: PartnerRepository, clock: Clock, base_url: str) -> None:
        self._repository = repository
        self._clock = clock
        self._base_url = base_url

    def register(self, command: RegisterPartner) -> IntakeCredentials:
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
        return self._credentials(partner.partner_id, key)

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
        return self._credentials(partner_id, key)

    def get(self, partner_id: str) -> Partner:
        partner = self._repository.find(partner_id)
        if partner is None:
            raise NotFound(f"No partner '{partner_id}'.")
        return partner

    def authenticate_intake(self, partner_id: str, presented_key: str | None) -> Partner:
        """The partner an intake call is for, if its key is right. Every failure looks alike."""
        partner = self._repository.find(partner_id) if _plausible_id(partner_id) else None
        expected = partner.intake_key_hash if partner else _DECOY_KEY_HASH
        presented = hash_intake_key(presented_key or "")
        if not secrets.compare_digest(presented, expected) or partner is None:
            raise Unauthenticated("The intake key is missing or wrong.")
        return partner

    def _credentials(self, partner_id: str, key: str) -> IntakeCredentials:
        url = f"{self._base_url}/api/intake/{partner_id}/marketplace?key={key}"
        return IntakeCredentials(partner_id=partner_id, intake_url=url, intake_key=key)


def _new_intake_key() -> str:
    return secrets.token_urlsafe(32)


def _plausible_id(partner_id: str) -> bool:
    """Ids that cannot exist are refused without a storage read (they may not even be keys)."""
    return re.fullmatch(PARTNER_ID_PATTERN, partner_id) is not None
