"""A partner: the company that receives leads, its notification contacts and its intake key."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, EmailStr, Field, StringConstraints

from shared.domain.field_messages import describe_pattern

# A partner id is a PartitionKey and a URL segment: keep it to a safe, readable alphabet.
PARTNER_ID_PATTERN = describe_pattern(
    r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
    "Use up to 64 lowercase letters, digits and hyphens, starting and ending with a letter or"
    " digit, such as contoso-eu.",
)
PartnerId = Annotated[str, StringConstraints(pattern=PARTNER_ID_PATTERN, max_length=64)]


def _known_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone such as Europe/Berlin") from None
    return name


TimeZoneName = Annotated[str, AfterValidator(_known_time_zone)]


class Contact(BaseModel):
    """A person on the business profile who is emailed about new leads."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailStr


class Partner(BaseModel):
    partner_id: PartnerId
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    contacts: Annotated[list[Contact], Field(max_length=50)] = []
    time_zone: TimeZoneName = "UTC"
    intake_key_hash: str
    created_at: datetime
    intake_key_rotated_at: datetime
    etag: str | None = None  # storage version, for optimistic concurrency

    def intake_key_matches(self, presented_key: str) -> bool:
        return hmac.compare_digest(hash_intake_key(presented_key), self.intake_key_hash)


def hash_intake_key(key: str) -> str:
    """Keys are 256-bit random tokens, so a plain SHA-256 is enough: no dictionary to attack."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
