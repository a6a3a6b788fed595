"""Webhook subscriptions: who may manage them, which URLs they take, the secret shown once."""

from __future__ import annotations

import dataclasses

import pytest

from shared.adapters.clock import FixedClock
from shared.adapters.fernet_secret_box import DEV_WEBHOOK_KEY, FernetSecretBox
from shared.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.domain.principal import Principal, Role
from shared.domain.webhook_targets import TargetPolicy
from shared.services.webhook_models import MAX_SUBSCRIPTIONS, CreateWebhook, UpdateWebhook
from shared.services.webhook_subscriptions import WebhookSubscriptions
from tests.unit.webhook_fakes import T0, FakeStore

ADMIN = Principal("u1", frozenset({Role.BUSINESS_PROFILE_ADMIN}), partner_id="contoso")
URL = "https://crm.contoso.example/hooks/leads"


class RecordingSummary:
    """The operators' partner summary: the failing-webhook counts it was told."""

    def __init__(self) -> None:
        self.failing: list[int] = []

    def set_routing(self, partner_id: str, *, on: bool) -> None:
        raise AssertionError("webhooks never set routing")

    def set_failing_webhooks(self, partner_id: str, count: int) -> None:
        self.failing.append(count)


def _service(
    store: FakeStore | None = None, summary: RecordingSummary | None = None
) -> WebhookSubscriptions:
    return WebhookSubscriptions(store=store or FakeStore(), box=FernetSecretBox(DEV_WEBHOOK_KEY),
                                clock=FixedClock(T0), policy=TargetPolicy.PUBLIC,
                                summary=summary)  # fmt: skip


def test_the_secret_is_answered_once_and_stored_sealed() -> None:
    store = FakeStore()
    created = _service(store).create(ADMIN, CreateWebhook(url=URL))
    assert created.secret.startswith("whsec_")
    stored = store.get("contoso", created.id)
    assert created.secret not in stored.secrets.current  # sealed, not in clear
    assert FernetSecretBox(DEV_WEBHOOK_KEY).open(stored.secrets.current) == created.secret
    listed = _service(store).list(ADMIN).model_dump_json()
    fetched = _service(store).get(ADMIN, created.id).model_dump_json()
    assert created.secret not in listed
    assert created.secret not in fetched
    assert "secret" not in _service(store).get(ADMIN, created.id).model_dump()


@pytest.mark.parametrize("roles", [{Role.REFERRALS_USER}, {Role.LEADS_OPERATOR}])
def test_only_partner_admins_manage_webhooks(roles: set[Role]) -> None:
    caller = Principal("u2", frozenset(roles), partner_id="contoso")
    with pytest.raises(Forbidden):
        _service().create(caller, CreateWebhook(url=URL))
    with pytest.raises(Forbidden):
        _service().list(caller)


@pytest.mark.parametrize(
    "url", ["http://crm.contoso.example/h", "https://10.0.0.8/h", "https://169.254.169.254/"]
)
def test_a_url_the_rules_refuse_is_a_400_naming_url_and_nothing_is_stored(url: str) -> None:
    store = FakeStore()
    with pytest.raises(InvalidInput) as refused:
        _service(store).create(ADMIN, CreateWebhook(url=url))
    assert [error.field for error in refused.value.errors] == ["url"]
    assert store.subscriptions == {}


def test_a_patch_changes_only_what_it_names_and_reenabling_clears_the_reason() -> None:
    store = FakeStore()
    service = _service(store)
    created = service.create(ADMIN, CreateWebhook(url=URL, description="CRM"))
    gone = dataclasses.replace(store.get("contoso", created.id), enabled=False,
                               disabled_reason="410")  # fmt: skip
    store.subscriptions[("contoso", created.id)] = gone
    types = ["com.partnerleads.lead.won"]
    changed = service.update(ADMIN, created.id, UpdateWebhook(enabled=True, event_types=types))
    assert changed.enabled
    assert changed.disabled_reason is None
    assert changed.event_types == types
    assert changed.description == "CRM"
    assert changed.url == URL


def test_unknown_event_types_and_too_many_subscriptions_are_refused() -> None:
    with pytest.raises(ValueError, match="Unknown event types"):
        CreateWebhook(url=URL, event_types=["com.partnerleads.lead.nope"])
    service = _service()
    for _ in range(MAX_SUBSCRIPTIONS):
        service.create(ADMIN, CreateWebhook(url=URL))
    with pytest.raises(Conflict):
        service.create(ADMIN, CreateWebhook(url=URL))


def test_another_partners_subscription_is_not_found() -> None:
    store = FakeStore()
    created = _service(store).create(ADMIN, CreateWebhook(url=URL))
    stranger = Principal("u3", frozenset({Role.REFERRALS_ADMIN}), partner_id="fabrikam")
    with pytest.raises(NotFound):
        _service(store).get(stranger, created.id)


def test_operators_are_told_how_many_subscriptions_delivery_stopped() -> None:
    store, summary = FakeStore(), RecordingSummary()
    service = _service(store, summary)
    stopped = service.create(ADMIN, CreateWebhook(url=URL))
    other = service.create(ADMIN, CreateWebhook(url=URL + "/2"))
    store.subscriptions[("contoso", stopped.id)] = dataclasses.replace(
        store.get("contoso", stopped.id), enabled=False, disabled_reason="410 Gone"
    )
    service.update(ADMIN, other.id, UpdateWebhook(description="CRM"))
    service.update(ADMIN, stopped.id, UpdateWebhook(enabled=True))
    service.delete(ADMIN, other.id)
    assert summary.failing == [1, 0, 0]
