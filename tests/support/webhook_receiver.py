"""A real webhook receiver on loopback: verifies every delivery with `standardwebhooks` and
parses the Standard ones with the `cloudevents` SDK, as a partner's CRM endpoint would.

Each path is an endpoint with its own behaviour (`ok`, `fail` = 500, `slow` = answers after
`slow_seconds`, `gone` = 410) and the secrets its owner knows. Every request is kept with what
the checks found, so a test asserts on what arrived, not on what the sender believes it sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified_with: list[str]  # the secrets whose signature matched
    event_type: str | None  # the CloudEvent's type, when the body is one
    event_id: str | None
    status: int


@dataclass
class Endpoint:
    behaviour: str = "ok"
    secrets: list[str] = field(default_factory=list)


class WebhookReceiver:
    def __init__(self) -> None:
        self.endpoints: dict[str, Endpoint] = {}
        self.received: list[Received] = []
        self._counts: dict[str, int] = {}
        self.slow_seconds = 2.0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def endpoint(self, path: str, behaviour: str = "ok", secrets: list[str] | None = None) -> str:
        self.endpoints[path] = Endpoint(behaviour, list(secrets or []))
        return f"{self.base_url}{path}"

    def count(self, path: str) -> int:
        """How many requests `path` got: cheap enough to poll."""
        return self._counts.get(path, 0)

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.path == path]

    def wait_for(self, path: str, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.at(path)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.at(path)

    def _verify(self, endpoint: Endpoint, headers: dict[str, str], body: bytes) -> list[str]:
        matched = []
        for secret in endpoint.secrets:
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            matched.append(secret)
        return matched

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> int:
        endpoint = self.endpoints.get(path, Endpoint("gone"))
        status = {"ok": 200, "fail": 500, "gone": 410, "slow": 200, "redirect": 307}[
            endpoint.behaviour
        ]
        if endpoint.behaviour == "slow":
            time.sleep(self.slow_seconds)
        event_type = event_id = None
        if headers.get("content-type", "").startswith("application/cloudevents+json"):
            event = from_http_event(HTTPMessage(headers=headers, body=body))
            event_type, event_id = event.get_type(), event.get_id()
        received = Received(path, headers, body, self._verify(endpoint, headers, body),
                            event_type, event_id, status)  # fmt: skip
        with self._lock:
            self.received.append(received)
            self._counts[path] = self._counts.get(path, 0) + 1
        return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                status = receiver._record(self.path, headers, body)
                self.send_response(status)
                if status == 307:
                    self.send_header("Location", f"{receiver.base_url}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def running(self) -> Iterator[WebhookReceiver]:
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


def body_json(item: Received) -> Any:
    return json.loads(item.body)
