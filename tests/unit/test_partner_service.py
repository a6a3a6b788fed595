"""Partner registration, key rotation and intake authentication, against in-memory fakes."""

from __future__ import annotations

import pytest

from shared.domain.errors import Conflict, NotFound, Unauthenticated
from shared.domain.partner import hash_intake_key
from shared.services.partners import PartnerService, RegisterPartner
from tests.unit.fakes import InMemoryPartnerRepository, SteppingClock


@pytest.fixture
def repository() -> InMemoryPartnerRepository:
    return InMemoryPartnerRepository()


@pytest.fixture
def service(repository: InMemoryPartnerRepository) -> PartnerService:
    return PartnerService(
        repository=repository, clock=SteppingClock(), base_url="https://leads.example"
    )


def _register(service: PartnerService, partner_id: str = "contoso") -> str:
    command = RegisterPartner(partner_id=partner_id, name="Contoso")
    return service.register(command).intake_key


def test_registration_stores_only_the_key_hash(
    service: PartnerService, repository: InMemoryPartnerRepository
) -> None:
    key = _register(service)
    stored = repository.partners["contoso"]
    assert stored.intake_key_hash == hash_intake_key(key)
    assert key not in stored.model_dump_json()


def test_intake_url_carries_partner_and_key(service: PartnerService) -> None:
    credentials = service.register(RegisterPartner(partner_id="contoso", name="Contoso"))
    assert credentials.intake_url == (
        f"https://leads.example/api/intake/contoso/marketplace?key={credentials.intake_key}"
    )


def test_keys_are_unique_and_long(service: PartnerService) -> None:
    keys = {_register(service, f"partner-{n}") for n in range(20)}
    assert len(keys) == 20
    assert all(len(key) >= 43 for key in keys)


def test_duplicate_registration_conflicts(service: PartnerService) -> None:
    _register(service)
    with pytest.raises(Conflict):
        _register(service)


def test_right_key_authenticates(service: PartnerService) -> None:
    key = _register(service)
    assert service.authenticate_intake("contoso", key).partner_id == "contoso"


@pytest.mark.parametrize("presented", [None, "", "wrong-key"])
def test_wrong_or_missing_key_is_refused(service: PartnerService, presented: str | None) -> None:
    _register(service)
    with pytest.raises(Unauthenticated):
        service.authenticate_intake("contoso", presented)


def test_unknown_partner_fails_exactly_like_a_wrong_key(service: PartnerService) -> None:
    key = _register(service)
    with pytest.raises(Unauthenticated) as unknown:
        service.authenticate_intake("nobody", key)
    with pytest.raises(Unauthenticated) as wrong:
        service.authenticate_intake("contoso", "wrong")
    assert unknown.value.detail == wrong.value.detail


def test_impossible_partner_id_is_refused_without_a_storage_read(
    service: PartnerService, repository: InMemoryPartnerRepository
) -> None:
    with pytest.raises(Unauthenticated):
        service.authenticate_intake("../../etc#?", "key")
    assert repository.reads == 0


def test_rotation_replaces_the_key(service: PartnerService) -> None:
    old = _register(service)
    new = service.rotate_intake_key("contoso").intake_key
    assert new != old
    assert service.authenticate_intake("contoso", new)
    with pytest.raises(Unauthenticated):
        service.authenticate_intake("contoso", old)


def test_rotating_unknown_partner_is_not_found(service: PartnerService) -> None:
    with pytest.raises(NotFound):
        service.rotate_intake_key("nobody")
