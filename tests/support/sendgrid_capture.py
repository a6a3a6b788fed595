"""A local SendGrid-compatible server: `POST /v3/mail/send`, recorded, with scripted answers.

The real `sendgrid` library (and the app under the local host) talk to it through
`SENDGRID_API_HOST`. Answers are scripted per recipient (the first personalization's first
address), so tests sharing one server never take each other's answers: 202 with an
`X-Message-Id`, 429 with rate-limit headers, 4xx/5xx with SendGrid's error body, or any of them
after a delay longer than the client's timeout. An `outage` scripts every request instead, by
time: e.g. 429s for 20 s, then 500s, then answers slower than the client waits.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAIL_SEND = "/v3/mail/send"


@dataclass(frozen=True)
class Reply:
    status: int = 202
    delay: float = 0.0  # seconds before answering
    retry_after: int | None = None  # a `Retry-After` header, in seconds


@dataclass(frozen=True)
class Phase:
    """`reply` to every request for `seconds`, one phase of an outage."""

    seconds: float
    reply: Reply


@dataclass(frozen=True)
class CapturedRequest:
    body: dict[str, Any]
    headers: dict[str, str]
    status: int  # what the server answered (or was about to, when the client gave up)
    delay: float = 0.0  # how long the server took to answer

    @property
    def recipients(self) -> list[str]:
        return [to["email"] for p in self.body.get("personalizations", []) for to in p["to"]]

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    def content(self, media_type: str) -> str:
        return str(next(c["value"] for c in self.body["content"] if c["type"] == media_type))


@dataclass
class SendGridCapture:
    server: ThreadingHTTPServer
    _requests: list[CapturedRequest] = field(default_factory=list)
    _scripts: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    _outage: list[tuple[float, Reply]] = field(default_factory=list)  # (ends at, reply)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, recipient: str, *replies: Reply | int) -> None:
        """The next answers to emails whose first recipient is `recipient`; then 202s."""
        with self._lock:
            queue = self._scripts[recipient.casefold()]
            queue.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def recover(self, recipient: str) -> None:
        """SendGrid is back for `recipient`: what is left of its script is dropped (202s)."""
        with self._lock:
            self._scripts.pop(recipient.casefold(), None)

    def outage(self, *phases: Phase) -> float:
        """From now on, every request not scripted by recipient gets the reply of the phase it
        falls in; after the last phase, 202s again. Answers the outage's length in seconds."""
        with self._lock:
            ends = time.monotonic()
            self._outage = []
            for phase in phases:
                ends += phase.seconds
                self._outage.append((ends, phase.reply))
        return sum(phase.seconds for phase in phases)

    def requests(self, recipient: str | None = None) -> list[CapturedRequest]:
        with self._lock:
            found = list(self._requests)
        if recipient is None:
            return found
        return [r for r in found if recipient.casefold() in map(str.casefold, r.recipients)]

    def accepted(self, recipient: str | None = None) -> list[CapturedRequest]:
        return [request for request in self.requests(recipient) if request.accepted]

    def wait_for(
        self, probe: Callable[[], bool], timeout: float = 15.0, what: str = "emails"
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if probe():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    def _next_reply(self, recipient: str) -> Reply:
        with self._lock:
            queue = self._scripts.get(recipient.casefold())
            if queue:
                return queue.popleft()
            now = time.monotonic()
            return next((reply for ends, reply in self._outage if now < ends), Reply())

    def _record(self, request: CapturedRequest) -> None:
        with self._lock:
            self._requests.append(request)


def _errors(message: str, field_name: str | None = None) -> bytes:
    return json.dumps(
        {"errors": [{"message": message, "field": field_name, "help": None}]}
    ).encode()


def _invalid(body: Any) -> bytes | None:
    """What SendGrid would answer 400 for, in the parts our sender fills in."""
    if not isinstance(body, dict) or not isinstance(body.get("personalizations"), list):
        return _errors("The personalizations field is required.", "personalizations")
    addresses = [t.get("email", "") for p in body["personalizations"] for t in p.get("to") or []]
    checks = [
        (bool(body["personalizations"]) and all(p.get("to") for p in body["personalizations"]),
         "Each personalization needs a to.", "personalizations.0.to"),
        (all("@" in address for address in addresses),
         "Does not contain a valid address.", "personalizations.0.to.0.email"),
        (bool(body.get("from", {}).get("email")), "The from object must be provided.", "from"),
        (bool(body.get("subject")), "The subject is required.", "subject"),
        (bool(body.get("content")), "Unless a valid template_id is provided, content is required.",
         "content"),
    ]  # fmt: skip
    for ok, message, field_name in checks:
        if not ok:
            return _errors(message, field_name)
    return None


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer
    capture: SendGridCapture  # set on the class made per server

    def do_POST(self) -> None:
        if self.path != MAIL_SEND:
            self._answer(404, _errors("Not found"))
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            self._answer(401, _errors("authorization required"))
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._answer(400, _errors("Bad Request"))
            return
        problem = _invalid(body)
        first = body["personalizations"][0]["to"][0]["email"] if problem is None else ""
        reply = Reply(400) if problem else self.capture._next_reply(first)
        headers = {key: value for key, value in self.headers.items()}
        self.capture._record(CapturedRequest(body, headers, reply.status, reply.delay))
        time.sleep(reply.delay)
        payload = problem or (b"" if reply.status < 300 else _errors("scripted"))
        self._answer(reply.status, payload, reply.retry_after)

    def _answer(self, status: int, payload: bytes, retry_after: int | None = None) -> None:
        try:
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            if status == 202:
                self.send_header("X-Message-Id", uuid.uuid4().hex)
            if status == 429:
                self.send_header("X-RateLimit-Limit", "600")
                self.send_header("X-RateLimit-Remaining", "0")
                self.send_header("X-RateLimit-Reset", str(int(time.time()) + 1))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left: as with the real service

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: bodies and addresses have no place in test output either


@contextmanager
def running_capture() -> Iterator[SendGridCapture]:
    """A capture server on a free port, in a thread, for the `with` block."""

    class Handler(_Handler):
        pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    capture = SendGridCapture(server=server)
    Handler.capture = capture
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield capture
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
