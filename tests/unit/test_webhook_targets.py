"""Where webhooks may go: the SSRF rules on the URL's form and on the resolved address."""

from __future__ import annotations

import ipaddress

import pytest

from shared.domain.webhook_targets import TargetPolicy, address_refusal, url_refusal

PUBLIC, LOCAL, LOOPBACK = (TargetPolicy.PUBLIC, TargetPolicy.PUBLIC_AND_LOOPBACK,
                           TargetPolicy.LOOPBACK)  # fmt: skip


@pytest.mark.parametrize(
    "address",
    ["10.0.0.5", "172.16.3.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "169.254.10.10",
     "100.64.0.1", "0.0.0.0",  # noqa: S104  # an address refused, not bound "::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1", "fd00:ec2::254",
     "224.0.0.1"],
)  # fmt: skip
def test_private_loopback_link_local_and_metadata_addresses_are_refused_in_azure(
    address: str,
) -> None:
    assert address_refusal(ipaddress.ip_address(address), PUBLIC) is not None


def test_public_addresses_pass_and_loopback_only_with_the_local_setting() -> None:
    assert address_refusal(ipaddress.ip_address("20.50.2.1"), PUBLIC) is None
    assert address_refusal(ipaddress.ip_address("2603:1000::1"), PUBLIC) is None
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), LOCAL) is None
    assert address_refusal(ipaddress.ip_address("10.0.0.5"), LOCAL) is not None
    assert address_refusal(ipaddress.ip_address("169.254.169.254"), LOCAL) is not None
    assert address_refusal(ipaddress.ip_address("20.50.2.1"), LOOPBACK) is not None


@pytest.mark.parametrize(
    ("url", "policy", "allowed"),
    [
        ("https://crm.example.com/hooks", PUBLIC, True),
        ("http://crm.example.com/hooks", PUBLIC, False),  # https only in Azure
        ("https://10.1.2.3/hooks", PUBLIC, False),
        ("https://169.254.169.254/latest/meta-data", PUBLIC, False),
        ("https://127.0.0.1:8443/", PUBLIC, False),
        ("https://localhost/", PUBLIC, False),
        ("http://127.0.0.1:9000/hook", LOCAL, True),
        ("http://localhost:9000/hook", LOCAL, True),
        ("http://crm.example.com/hooks", LOCAL, False),
        ("https://crm.example.com/hooks", LOOPBACK, False),  # tests never leave the machine
        ("http://127.0.0.1:9000/hook", LOOPBACK, True),
        ("https://user:pw@crm.example.com/", PUBLIC, False),
        ("ftp://crm.example.com/", PUBLIC, False),
        ("not a url", PUBLIC, False),
        ("https://crm.example.com:99999/", PUBLIC, False),
    ],
)
def test_the_url_form_is_checked_when_saved(url: str, policy: TargetPolicy, allowed: bool) -> None:
    assert (url_refusal(url, policy) is None) is allowed
