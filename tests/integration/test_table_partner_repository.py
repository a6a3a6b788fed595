"""The partner repository against a real Azurite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from azure.data.tables import TableServiceClient

from shared.adapters.table_partner_repository import TablePartnerRepository
from shared.domain.errors import ConcurrentModification, Conflict
from shared.domain.partner import Contact, Partner
from tests.support.azurite import Azurite


@pytest.fixture
def repository(azurite: Azurite, unique_name: str) -> TablePartnerRepository:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    return TablePartnerRepository(service.create_table(f"{unique_name}Partners"))


def _partner(partner_id: str = "contoso") -> Partner:
    instant = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)
    return Partner(
        partner_id=partner_id,
        name="Contoso Ltd",
        contacts=[Contact(name="Sales", email="sales@contoso.example")],
        time_zone="Europe/Berlin",
        intake_key_hash="ab" * 32,
        created_at=instant,
        intake_key_rotated_at=instant,
    )


def test_round_trip_keeps_every_field(repository: TablePartnerRepository) -> None:
    added = repository.add(_partner())
    found = repository.find("contoso")
    assert found is not None
    assert found.model_dump(exclude={"etag"}) == added.model_dump(exclude={"etag"})
    assert found.etag


def test_missing_partner_is_none(repository: TablePartnerRepository) -> None:
    assert repository.find("nobody") is None


def test_adding_twice_conflicts(repository: TablePartnerRepository) -> None:
    repository.add(_partner())
    with pytest.raises(Conflict):
        repository.add(_partner())


def test_replace_with_a_stale_etag_loses(repository: TablePartnerRepository) -> None:
    repository.add(_partner())
    first = repository.find("contoso")
    second = repository.find("contoso")
    assert first is not None
    assert second is not None
    repository.replace(first.model_copy(update={"name": "First writer"}))
    with pytest.raises(ConcurrentModification):
        repository.replace(second.model_copy(update={"name": "Second writer"}))
    stored = repository.find("contoso")
    assert stored is not None
    assert stored.name == "First writer"
