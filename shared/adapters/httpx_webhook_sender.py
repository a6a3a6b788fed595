"""POSTs a webhook with httpx, guarded against server-side request forgery at send time.

The name is resolved here (through a seam tests point at a fake resolver), every address it
resolves to is checked (`address_refusal`), and the connection goes to the checked address: the
URL's host is replaced by the IP, the `Host` header and the TLS SNI (httpcore's `sni_hostname`
extension, which the certificate is verified against) keep the name. So a name that resolves to
a public address at the check and to 10.0.0.1 a moment later (DNS rebinding) still reaches only
the address checked. Redirects are not followed (a 3xx is a failure), proxies from the
environment are ignored (they would connect elsewhere), connections are not kept alive (a pooled
connection to one IP must not carry another name's request under the first name's TLS session),
and at most 64 KiB of an answer is read.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

import httpx

from shared.adapters.retry_after import retry_after
from shared.domain.webhook_targets import TargetPolicy, address_refusal, url_refusal
from shared.services.webhook_ports import SendResult

Resolver = Callable[[str, int], list[str]]
MAX_ANSWER_BYTES = 64 * 1024


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class HttpxWebhookSender:
    def __init__(
        self,
        *,
        policy: TargetPolicy,
        timeout_seconds: float,
        resolver: Resolver = system_resolver,
        verify: bool = True,
    ) -> None:
        self._policy = policy
        self._timeout = timeout_seconds
        self._resolver = resolver
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=False,
            trust_env=False,
            verify=verify,
            limits=httpx.Limits(max_keepalive_connections=0, max_connections=64),
        )

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        refusal = url_refusal(url, self._policy)
        if refusal is not None:
            return SendResult(status=None, error=refusal, refused=True)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = sorted(set(self._resolver(host, port)), key=lambda a: ":" in a)
        except (OSError, UnicodeError):
            return SendResult(status=None, error="The host name did not resolve.")
        if not addresses:
            return SendResult(status=None, error="The host name did not resolve.")
        for address in addresses:  # every one: the connection may not choose which
            refused = address_refusal(ipaddress.ip_address(address.split("%")[0]), self._policy)
            if refused is not None:
                return SendResult(status=None, error=f"Refused: {refused}", refused=True)
        pinned = addresses[0]
        netloc = f"[{pinned}]" if ":" in pinned else pinned
        target = urlunsplit((parts.scheme, f"{netloc}:{port}", parts.path or "/", parts.query, ""))
        host_header = parts.netloc.rpartition("@")[2]
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        return self._post(target, body, {**headers, "host": host_header}, extensions)

    def _post(
        self, target: str, body: bytes, headers: dict[str, str], extensions: dict[str, str]
    ) -> SendResult:
        deadline = time.monotonic() + self._timeout
        try:
            with self._client.stream(
                "POST", target, content=body, headers=headers, extensions=extensions
            ) as response:
                read = 0
                for chunk in response.iter_raw():
                    read += len(chunk)
                    if read >= MAX_ANSWER_BYTES or time.monotonic() > deadline:
                        break  # the status is what counts; the rest is not read
                return SendResult(
                    status=response.status_code, retry_after=retry_after(response.headers)
                )
        except httpx.TimeoutException:
            return SendResult(status=None, error=f"No answer within {self._timeout:g} s.")
        except httpx.HTTPError as error:
            return SendResult(status=None, error=f"Connection failed ({type(error).__name__}).")
