"""Where a webhook may be sent: the rules against server-side request forgery (SSRF).

A partner names the URL, and our servers call it: without rules, anyone with an admin role could
make the app call the cloud's metadata service, the storage account's private endpoint or
anything on the internal network, and read part of the answer in the delivery log. So a URL is
checked when it is saved (its form) and again at every send, on the address its name resolves
to then (a name may resolve elsewhere later), and the connection goes to that checked address.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetPolicy(StrEnum):
    """Which targets are allowed. Only `public` on the platform, whatever the setting says."""

    PUBLIC = "public"  # https to public addresses only (Azure)
    PUBLIC_AND_LOOPBACK = "public-and-loopback"  # plus http(s) to this machine (`make run`)
    LOOPBACK = "loopback"  # only this machine (tests, fuzzing: never a call off the machine)


# Named on their own, though `is_link_local` covers them: the cloud metadata services.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_LOCAL_NAMES = frozenset({"localhost", "localhost."})


def url_refusal(url: str, policy: TargetPolicy) -> str | None:  # noqa: PLR0911  # a rule a line
    """Why `url` can never be a target under `policy` (its form only), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Enter an absolute URL, such as https://crm.example.com/hooks/leads."
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "Enter an absolute URL, such as https://crm.example.com/hooks/leads."
    if parts.username or parts.password:
        return "A webhook URL may not carry a user name or password."
    if port == 0:
        return "Enter a port between 1 and 65535."
    loopback = _is_loopback_name(parts)
    if policy is TargetPolicy.LOOPBACK and not loopback:
        return "This installation only sends webhooks to this machine (WEBHOOK_TARGETS=loopback)."
    if parts.scheme != "https" and not (loopback and policy is not TargetPolicy.PUBLIC):
        return "A webhook URL must use https."
    literal = _literal_address(parts.hostname)
    if literal is not None:
        return address_refusal(literal, policy)
    if loopback and policy is TargetPolicy.PUBLIC:
        return "A webhook URL may not point at this machine."
    return None


def address_refusal(address: IPAddress, policy: TargetPolicy) -> str | None:  # noqa: PLR0911
    """Why a connection to `address` is refused under `policy`, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    if address.is_loopback:
        if policy is TargetPolicy.PUBLIC:
            return "The address is this machine (loopback)."
        return None
    if policy is TargetPolicy.LOOPBACK:
        return "Only loopback addresses are allowed here."
    if address in METADATA_ADDRESSES:
        return "The address is the cloud metadata service."
    if address.is_link_local:
        return "The address is link-local."
    if address.is_private or address.is_reserved or address.is_multicast:
        return "The address is private or reserved."
    if address.is_unspecified or not address.is_global:
        return "The address is not a public one."
    return None


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_loopback_name(parts: SplitResult) -> bool:
    host = (parts.hostname or "").lower()
    if host in _LOCAL_NAMES:
        return True
    literal = _literal_address(host)
    return literal is not None and literal.is_loopback
