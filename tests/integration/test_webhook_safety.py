"""The sender's SSRF guard at send time, on resolved addresses, with a real HTTP client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.adapters.httpx_webhook_sender import HttpxWebhookSender
from shared.domain.webhook_targets import TargetPolicy
from tests.support.webhook_receiver import WebhookReceiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver().running() as live:
        yield live


def _resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> list[str]:
        return table[host]

    return resolve


@pytest.mark.parametrize(
    ("url", "resolves_to"),
    [
        ("https://10.1.2.3/hook", None),
        ("https://169.254.169.254/latest/meta-data/", None),
        ("https://127.0.0.1/hook", None),  # loopback, in Azure mode
        ("https://crm.partner.example/hook", ["10.20.30.40"]),  # a name for a private address
        ("https://crm.partner.example/hook", ["20.1.2.3", "192.168.0.9"]),  # one of them private
        ("https://rebind.partner.example/hook", ["::ffff:169.254.169.254"]),
    ],
)
def test_private_loopback_and_metadata_targets_are_refused_before_connecting(
    url: str, resolves_to: list[str] | None
) -> None:
    resolver = _resolver({"crm.partner.example": resolves_to or [],
                          "rebind.partner.example": resolves_to or []})  # fmt: skip
    sender = HttpxWebhookSender(policy=TargetPolicy.PUBLIC, timeout_seconds=1, resolver=resolver)
    result = sender.send(url, b"{}", {"webhook-id": "x"})
    assert result.refused
    assert result.status is None
    assert not result.delivered


def test_loopback_is_refused_in_azure_mode_even_where_a_receiver_listens(
    receiver: WebhookReceiver,
) -> None:
    url = receiver.endpoint("/open")
    refused = HttpxWebhookSender(policy=TargetPolicy.PUBLIC, timeout_seconds=1).send(url, b"{}", {})
    assert refused.refused
    assert receiver.at("/open") == []
    allowed = HttpxWebhookSender(policy=TargetPolicy.LOOPBACK, timeout_seconds=1)
    assert allowed.send(url, b"{}", {}).status == 200
    assert len(receiver.at("/open")) == 1


def test_the_connection_goes_to_the_checked_address_keeping_the_host_name(
    receiver: WebhookReceiver,
) -> None:
    receiver.endpoint("/pinned")
    port = receiver.base_url.rsplit(":", 1)[1]
    calls: list[str] = []

    def resolve(host: str, _: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    sender = HttpxWebhookSender(policy=TargetPolicy.PUBLIC_AND_LOOPBACK, timeout_seconds=1,
                                resolver=resolve)  # fmt: skip
    result = sender.send(f"http://localhost:{port}/pinned", b"{}", {})
    assert result.status == 200
    assert calls == ["localhost"]
    (item,) = receiver.at("/pinned")
    assert item.headers["host"] == f"localhost:{port}"


def test_redirects_are_not_followed_and_count_as_failures(receiver: WebhookReceiver) -> None:
    receiver.endpoint("/moved", "redirect")
    sender = HttpxWebhookSender(policy=TargetPolicy.LOOPBACK, timeout_seconds=1)
    result = sender.send(f"{receiver.base_url}/moved", b"{}", {})
    assert result.status == 307
    assert not result.delivered
    assert len(receiver.at("/moved")) == 1
    assert receiver.at("/elsewhere") == []
