"""What the benchmarks share: a storage request counter, the app's settings, a load generator."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core.pipeline import Pipeline, PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy

from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tests.support.azurite import Azurite


class StorageRequestCounter(SansIOHTTPPolicy[Any, Any]):
    """Counts the requests of the pipelines it is in, by service (table, queue, blob)."""

    def __init__(self, azurite: Azurite) -> None:
        self._services = {
            azurite.table_port: "table",
            azurite.queue_port: "queue",
            azurite.blob_port: "blob",
        }
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def on_request(self, request: PipelineRequest[Any]) -> None:
        url = urlsplit(request.http_request.url)
        # Azurite tells services apart by port, Azure by host (`<account>.table.core...`).
        labels = (url.hostname or "").split(".")
        service = self._services.get(url.port or 0) or (labels[1] if len(labels) > 1 else "?")
        with self._lock:
            self._counts[service] += 1

    def take(self) -> Counter[str]:
        """The counts since the last take."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return counts


@contextmanager
def on_every_pipeline(policy: SansIOHTTPPolicy[Any, Any]) -> Iterator[None]:
    """Put `policy` last (just before the transport, so retries count too) in every azure-core
    pipeline built in this process meanwhile, however the SDK builds it."""
    original = Pipeline.__init__

    def init(self: Pipeline[Any, Any], transport: Any, policies: Any = None) -> None:
        chain = list(policies or [])
        # Clients derived from a service client reuse its policies, ours included already.
        if not any(getattr(item, "_policy", item) is policy for item in chain):
            chain.append(policy)
        original(self, transport, chain)

    Pipeline.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Pipeline.__init__ = original  # type: ignore[method-assign]


def app_env(azurite: Azurite, prefix: str) -> dict[str, str]:
    """The app settings, as tests/e2e/conftest.py gives them to the host."""
    return {
        "AzureWebJobsStorage": azurite.connection_string,
        "STORAGE_PREFIX": prefix,
        "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE,
        "AUTH_PUBLIC_KEY": key_pair().public_pem,
        "PUBLIC_BASE_URL": "http://leads.bench",
        "NOTIFICATIONS_QUEUE": f"notifications-{prefix}",
        "RELAY_OUTBOX_SCHEDULE": "0 0 0 1 1 *",  # never during a run
        "DELIVERIES_QUEUE": f"deliveries-{prefix}",
        "RELAY_DELIVERIES_SCHEDULE": "0 0 0 1 1 *",
        "EXPIRE_LEADS_SCHEDULE": "0 0 0 1 1 *",
        "ARCHIVE_INFORMATIONAL_SCHEDULE": "0 0 0 1 1 *",
        "SEND_DIGESTS_SCHEDULE": "0 0 0 1 1 *",
        "REMIND_EXPIRING_SCHEDULE": "0 0 0 1 1 *",
        "ESCALATE_STALE_LEADS_SCHEDULE": "0 0 0 1 1 *",
        "WATCH_QUEUES_SCHEDULE": "0 0 0 1 1 *",
        "WORK_QUEUE": f"work-{prefix}",
        "WEBHOOK_DELIVERIES_QUEUE": f"webhooks-{prefix}",
        "DISPATCH_WEBHOOKS_SCHEDULE": "0 0 0 1 1 *",
        "WEBHOOK_TARGETS": "loopback",
        # Intake alone: the notification consumer (when the app has one) would share the host.
        "AzureWebJobs.process_notification.Disabled": "true",
    }


def contact_me_lead(customer: str) -> dict[str, Any]:
    """A Contact-me marketplace lead (so it owes a notification) from a distinct customer."""
    return {
        "UserDetails": {
            "FirstName": "Mia",
            "LastName": "Schmidt",
            "Email": f"{customer}@fabrikam.de",
            "Phone": "+49 30 901820",
            "Country": "DE",
            "Company": "Fabrikam GmbH",
            "Title": "Head of IT",
        },
        "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet-insights",
        "OfferTitle": "Fleet Insights",
        "Description": "We run 400 vans and want a demo next week.",
    }


@dataclass(frozen=True)
class Throughput:
    requests: int
    seconds: float
    latencies: Sequence[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def __str__(self) -> str:
        p50, p99 = (statistics.quantiles(self.latencies, n=100)[i] * 1000 for i in (49, 98))
        return (
            f"{self.per_second:7.1f} requests/s ({self.requests} in {self.seconds:.1f} s; "
            f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms)"
        )


def hammer(
    clients: Sequence[Callable[[int], None]], *, seconds: float, max_requests: int
) -> Throughput:
    """Run each client (`send(i)` does one request) on its own thread: one untimed warm-up
    call each, then as many calls as fit in `seconds`, `max_requests` in all at most."""
    start = threading.Barrier(len(clients) + 1)
    stop = threading.Event()
    budget = itertools.count(1)  # next() is atomic: a shared ticket dispenser
    latencies: list[float] = []
    failures: list[Exception] = []

    def run(send: Callable[[int], None]) -> None:
        try:
            send(0)
            start.wait()
            deadline = time.monotonic() + seconds
            for i in range(1, max_requests + 1):
                if stop.is_set() or time.monotonic() > deadline or next(budget) > max_requests:
                    break
                began = time.perf_counter()
                send(i)
                latencies.append(time.perf_counter() - began)
        except threading.BrokenBarrierError:
            pass  # another client failed, or the run was interrupted
        except Exception as error:  # raised again by the caller's thread
            failures.append(error)
            stop.set()
            start.abort()

    threads = [threading.Thread(target=run, args=(send,), daemon=True) for send in clients]
    for thread in threads:
        thread.start()
    try:
        start.wait()
        began = time.monotonic()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    except threading.BrokenBarrierError:
        elapsed = 0.0
    finally:
        stop.set()
        start.abort()
    if failures:
        raise failures[0]
    return Throughput(len(latencies), elapsed, latencies)


def breakdown(counts: Mapping[str, float]) -> str:
    return ", ".join(f"{service} {counts[service]:g}" for service in sorted(counts))
