"""Webhook fan-out: 1,000 lead changes to 3 subscriptions, one answering 500 throughout.

`.venv/bin/python -m bench.events` starts its own Azurite (in memory, free ports) and three real
receivers on loopback (each verifies every signature with `standardwebhooks` and parses the
CloudEvent, as a CRM would), then, in-process with the app's real adapters:

1. 1,000 staff referrals (a lead each: the change, its event in the same batch, its notification
   on the queue) with no subscription: the time, and the storage round trips per change;
2. three subscriptions, then 1,000 more referrals: the same figures (the target is 0 round trips
   added on the request path: the event rides in the change's batch, the fan-out reads the log);
3. the dispatcher (what the timer runs) and 16 delivery workers (what the queue trigger runs)
   until both healthy receivers have all 1,000 events; the failing one gets its first attempt
   and its retries wait their visibility delay, holding nobody up.

Prints figures and PASS/FAIL; always exits 0.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import BinaryBase64DecodePolicy, QueueClient

from bench._support import StorageRequestCounter, app_env, on_every_pipeline
from shared.adapters.httpx_webhook_sender import HttpxWebhookSender
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.delivery import Delivery
from shared.domain.lead_values import LeadType, Qualification
from shared.domain.principal import Principal, Role
from shared.domain.webhooks import WebhookMessage
from shared.services.partners import RegisterPartner
from shared.services.referrals import ReferLead, ReferralCustomer
from shared.services.webhook_models import CreateWebhook
from shared.services.webhook_ports import SendResult
from tests.support.azurite import Azurite
from tests.support.webhook_receiver import WebhookReceiver

CHANGES = 1_000
CLIENTS = 8
WORKERS = 16  # the trigger's batchSize
PARTNER = "bench-events"
REFERRER = Principal("staff", frozenset({Role.VENDOR_REFERRER}), name="Staff")
ADMIN = Principal("admin", frozenset({Role.REFERRALS_ADMIN}), partner_id=PARTNER)


def _referral(n: int) -> ReferLead:
    return ReferLead(
        qualification=Qualification.SALES_QUALIFIED, lead_type=LeadType.PROFILE,
        customer=ReferralCustomer(first_name="Ana", last_name=f"Silva{n}", company=f"Co {n}",
                                  email=f"ana{n}.{uuid.uuid4().hex[:6]}@northwind.example"),
        notes="Needs 50 seats",
    )  # fmt: skip


def _changes(container: Container, counter: StorageRequestCounter) -> tuple[float, float]:
    """1,000 referrals from 8 clients: seconds, and storage round trips per change."""
    counter.take()
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(lambda n: container.intake.receive_referral(
            REFERRER, PARTNER, _referral(n), None), range(CHANGES)))  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, sum(counter.take().values()) / CHANGES


class TimedSender:
    """The real sender, timed: how much of a delivery is the HTTP request itself."""

    def __init__(self, sender: HttpxWebhookSender) -> None:
        self._sender = sender
        self.seconds = 0.0
        self.calls = 0
        self._lock = threading.Lock()

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        started = time.perf_counter()
        try:
            return self._sender.send(url, body, headers)
        finally:
            with self._lock:
                self.seconds += time.perf_counter() - started
                self.calls += 1


def _deliver(container: Container, queue: QueueClient, receiver: WebhookReceiver) -> float:
    """Dispatch and deliver until both healthy receivers have every event: seconds."""
    started = time.perf_counter()
    done = threading.Event()

    def worker() -> None:
        while not done.is_set():  # like the trigger: a few messages, each deleted once handled
            batch = list(queue.receive_messages(max_messages=4, visibility_timeout=600))
            if not batch:
                time.sleep(0.05)
            for message in batch:
                body = WebhookMessage.model_validate_json(message.content)
                delivery = Delivery.of(message.id, message.dequeue_count, body.redelivery)
                try:
                    container.webhooks.deliveries.handle(body, delivery)
                    queue.delete_message(message)
                except Exception as error:  # the host would retry it; so do we
                    print("  delivery failed:", type(error).__name__, file=sys.stderr)

    with contextlib.suppress(ResourceExistsError):  # the trigger's host creates it likewise
        queue.create_queue()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    while container.webhooks.dispatcher.run(datetime.now(UTC))["events"]:
        pass  # the timer would tick every 5 s; here it runs until the log is read
    deadline, shown = time.monotonic() + 900, time.monotonic()
    while time.monotonic() < deadline and not all(
        receiver.count(path) >= CHANGES for path in ("/crm", "/teams")
    ):
        time.sleep(0.05)
        if time.monotonic() - shown > 10:
            shown = time.monotonic()
            print("  delivering:", {p: receiver.count(p) for p in ("/crm", "/teams", "/down")},
                  file=sys.stderr)  # fmt: skip
    seconds = time.perf_counter() - started
    done.set()
    for thread in threads:
        thread.join()
    return seconds


def main() -> None:
    azurite = Azurite.start()
    try:
        with WebhookReceiver().running() as receiver:
            run(azurite, receiver)
    finally:
        azurite.stop()


def run(azurite: Azurite, receiver: WebhookReceiver) -> None:
    env = app_env(azurite, "bevents") | {"EVENT_FEED_SETTLE_SECONDS": "0.2"}
    settings = Settings.model_validate(env)
    counter = StorageRequestCounter(azurite)
    with on_every_pipeline(counter):
        container = Container(settings)
        container.partners.register(RegisterPartner(partner_id=PARTNER, name="Bench"))
        container.intake.receive_referral(REFERRER, PARTNER, _referral(-1), None)  # warm up
        bare_seconds, bare_trips = _changes(container, counter)
        print(f"  changes without subscriptions: {bare_seconds:.1f} s", file=sys.stderr)
        for path, behaviour in (("/crm", "ok"), ("/teams", "ok"), ("/down", "fail")):
            url = receiver.endpoint(path, behaviour)
            made = container.webhooks.subscriptions.create(ADMIN, CreateWebhook(url=url))
            receiver.endpoints[path].secrets.append(made.secret)
        container.webhooks.dispatcher.run(datetime.now(UTC))  # the cursor past phase 1
        hooked_seconds, hooked_trips = _changes(container, counter)
        print(f"  changes with subscriptions: {hooked_seconds:.1f} s", file=sys.stderr)
        time.sleep(0.3)  # past the feed's settle window
        queue = QueueClient.from_connection_string(
            azurite.connection_string, settings.webhook_deliveries_queue,
            message_decode_policy=BinaryBase64DecodePolicy(),
        )  # fmt: skip
        timed = TimedSender(container.webhooks.sender)
        container.webhooks.__dict__["sender"] = timed  # before `deliveries` is built
        counter.take()
        deliver_seconds = _deliver(container, queue, receiver)
        deliver_trips = sum(counter.take().values())
    healthy = receiver.count("/crm") + receiver.count("/teams")
    verified = sum(1 for path in ("/crm", "/teams") for item in receiver.at(path)
                   if item.verified_with)  # fmt: skip
    ids = {item.event_id for item in receiver.at("/crm")}
    added = hooked_trips - bare_trips
    print(f"{CHANGES:,} lead changes (staff referrals, {CLIENTS} clients), in-process on Azurite")
    for label, seconds, trips in (("no subscription", bare_seconds, bare_trips),
                                  ("3 subscriptions", hooked_seconds, hooked_trips)):  # fmt: skip
        print(f"  {label}: {seconds:6.2f} s, {trips:.2f} storage round trips a change")
    print(f"  round trips added on the request path per change: {added:+.2f} (target 0)  "
          f"{'PASS' if abs(added) < 0.01 else 'FAIL'}")  # fmt: skip
    print(
        f"  fan-out (dispatch + deliver, {WORKERS} workers): {deliver_seconds:.2f} s = "
        f"{deliver_seconds / hooked_seconds:.2f} x the changes' own time"
    )
    whole = "PASS" if healthy == 2 * CHANGES == verified else "FAIL"
    print(f"  healthy deliveries: {healthy:,} of {2 * CHANGES:,}, {verified:,} signatures "
          f"verified, {len(ids):,} distinct events at /crm  {whole}")  # fmt: skip
    sends = max(timed.calls, 1)
    print(f"  delivery phase: {timed.calls:,} HTTP sends ({timed.seconds / sends * 1000:.0f} ms "
          f"each on average, {WORKERS} in parallel), {deliver_trips / sends:.2f} "
          "storage round trips a send (dispatch, queue, subscription, log)")  # fmt: skip
    print(
        f"  failing endpoint (500): {len(receiver.at('/down')):,} attempts so far, each "
        "retried after 5 s by queue delay, none holding up the healthy two"
    )


if __name__ == "__main__":
    main()
