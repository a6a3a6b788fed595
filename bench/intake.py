"""Marketplace intake through the journal: storage round trips of the acknowledgement, its
throughput through the local host beside (a) one bare `create_entity` and (b) the floor of one
`create_entity` + one `send_message` per request, and end-to-end latency at a steady rate.

`.venv/bin/python -m bench.intake` starts its own Azurite (in memory, free ports) and hosts.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from azure.data.tables import TableClient

from bench._intake_e2e import measure_ack_floor, measure_end_to_end
from bench._intake_floor import cpu_seconds
from bench._support import (
    StorageRequestCounter,
    Throughput,
    app_env,
    breakdown,
    contact_me_lead,
    hammer,
    on_every_pipeline,
)
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.intake_journal import JournalStatus
from shared.services.partners import RegisterPartner
from tests.support.auth import bearer
from tests.support.azurite import Azurite, free_port
from tools.localhost.process import start_host_process

LEADS = 200  # new leads, then as many exact re-deliveries
CLIENTS = 8
SECONDS = 10.0
MAX_REQUESTS = 50_000
# FUNCTIONS_WORKER_PROCESS_COUNT: one per core, within the platform's ceiling of 10.
WORKERS = min(10, os.cpu_count() or 1)
TARGET_ACK, TARGET_FLOOR_RATIO = 2, 0.8
E2E_RATE, E2E_SECONDS, TARGET_P95, TARGET_DRAIN = 10.0, 60.0, 5.0, 30.0


@dataclass(frozen=True)
class Calls:
    """Storage round trips and time of a series of intake calls."""

    counts: list[Counter[str]]
    seconds: list[float]

    @property
    def mean(self) -> float:
        return statistics.fmean(counts.total() for counts in self.counts)

    @property
    def max(self) -> int:
        return max(counts.total() for counts in self.counts)

    def __str__(self) -> str:
        by_service = Counter[str]()
        for counts in self.counts:
            by_service.update(counts)
        means = {service: total / len(self.counts) for service, total in by_service.items()}
        return (
            f"{self.mean:.2f} round trips ({breakdown(means)}), max {self.max}; "
            f"{statistics.fmean(self.seconds) * 1000:.1f} ms each"
        )


def measure_round_trips(azurite: Azurite) -> tuple[Calls, Calls, Calls]:
    """The webhook's acknowledgement (journal + queue), in-process through
    `container.delivery_door`: new customers, the same bodies again, and a cold partner."""
    wire = StorageRequestCounter(azurite)  # in every SDK pipeline: what really goes out
    settings = Settings.model_validate(app_env(azurite, "benchtrips"))
    with on_every_pipeline(wire):
        container = Container(settings)
        door = container.delivery_door  # builds the clients and creates the Deliveries table

        def register(partner_id: str) -> str:
            command = RegisterPartner(partner_id=partner_id, name="Bench")
            return container.partners.register(command).intake_key

        def calls(partner_id: str, key: str, customers: list[str]) -> Calls:
            counts, seconds = [], []
            wire.take()
            for customer in customers:
                body = contact_me_lead(customer)
                began = time.perf_counter()
                receipt = door.acknowledge(partner_id, key, json.dumps(body).encode(), body)
                seconds.append(time.perf_counter() - began)
                counts.append(wire.take())
                if receipt.status is not JournalStatus.RECEIVED:
                    raise RuntimeError(f"expected Received, got {receipt.status}")
            return Calls(counts, seconds)

        key = register("bench-warm")
        calls("bench-warm", key, ["warm-up"])  # the partner cached, the queue created
        cold_key = register("bench-cold")
        cold = calls("bench-cold", cold_key, ["cold"])
        customers = [f"customer-{i}" for i in range(LEADS)]
        new = calls("bench-warm", key, customers)
        again = calls("bench-warm", key, customers)
    return new, again, cold


def measure_bare_create_entity(azurite: Azurite) -> Throughput:
    """The same clients, each request one `create_entity` of the lead body on the same Azurite."""
    table = f"benchbare{uuid.uuid4().hex[:8]}"
    TableClient.from_connection_string(azurite.connection_string, table).create_table()
    clients = [
        TableClient.from_connection_string(azurite.connection_string, table) for _ in range(CLIENTS)
    ]

    def client(number: int, table: TableClient) -> Callable[[int], None]:
        def send(i: int) -> None:
            lead = contact_me_lead(f"c{number}-{i}")
            customer = lead.pop("UserDetails")  # a flat entity: the lead's fields as properties
            table.create_entity(
                {"PartitionKey": "bare", "RowKey": f"{number}-{i}", **lead, **customer}
            )

        return send

    try:
        return hammer(
            [client(n, table) for n, table in enumerate(clients)],
            seconds=SECONDS,
            max_requests=MAX_REQUESTS,
        )
    finally:
        for table_client in clients:
            table_client.close()


def measure_host(azurite: Azurite, log_dir: Path, *, workers: int = 1) -> Throughput:
    """The same clients posting distinct new marketplace leads to the local host, served by
    `workers` processes (`FUNCTIONS_WORKER_PROCESS_COUNT`).

    Each client is one keep-alive `http.client` connection: the load generator shares the two
    cores with the host and Azurite, so it must cost as little as it can (a `requests` session
    spends about 2 ms of CPU per call, a tenth of what the whole acknowledgement costs)."""
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    # The acknowledgement alone: processing, which a real deployment spreads over instances,
    # would share this host's cores with it.
    env = {
        **app_env(azurite, "benchhost"),
        "AzureWebJobs.process_delivery.Disabled": "true",
        "FUNCTIONS_WORKER_PROCESS_COUNT": str(workers),
    }
    host = start_host_process(
        port=free_port(), log_path=log_dir / f"host-{workers}.log", env={**runtime, **env}
    )
    connections = [
        http.client.HTTPConnection("127.0.0.1", host.port, timeout=30) for _ in range(CLIENTS)
    ]
    try:
        answer = requests.post(
            f"{host.base_url}/api/ops/partners",
            json={"partnerId": f"bench-load-{uuid.uuid4().hex[:6]}", "name": "Bench"},
            headers=bearer("Leads.Operator"),
            timeout=30,
        )
        answer.raise_for_status()
        path = urlsplit(answer.json()["intakeUrl"])
        target = f"{path.path}?{path.query}"

        def client(number: int, connection: http.client.HTTPConnection) -> Callable[[int], None]:
            def send(i: int) -> None:
                body = json.dumps(contact_me_lead(f"c{number}-{i}")).encode()
                connection.request(
                    "POST", target, body=body, headers={"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                text = response.read()
                if response.status != 200:
                    raise RuntimeError(f"intake answered {response.status}: {text[:200]!r}")

            return send

        return hammer(
            [client(n, connection) for n, connection in enumerate(connections)],
            seconds=SECONDS,
            max_requests=MAX_REQUESTS,
        )
    finally:
        for connection in connections:
            connection.close()
        if host.stop() != 0:
            print(f"  note: the host did not stop cleanly; its log:\n{host.logs()}")


@dataclass(frozen=True)
class Ratios:
    to_floor: float  # the host with WORKERS processes, to (b) in one process
    single_to_floor: float  # the host with one worker process, to (b)
    like_for_like: float  # the host with WORKERS processes, to (b) spread over as many


def measure_throughput(azurite: Azurite, log_dir: Path) -> Ratios:
    print(f"Throughput, {CLIENTS} concurrent clients with keep-alive, {SECONDS:g} s each")
    cpu_before = cpu_seconds(azurite)
    bare = measure_bare_create_entity(azurite)
    bare_cpu_ms = (cpu_seconds(azurite) - cpu_before) * 1000 / max(1, bare.requests)
    print(f"  bare create_entity:   {bare}; CPU (SDK + Azurite) {bare_cpu_ms:.1f} ms each")
    # The floor run before and after the host's, its mean the reference: one 10 s run of it
    # varies by a third from one to the next on this machine.
    before = measure_ack_floor(azurite, clients=CLIENTS, seconds=SECONDS, max_requests=MAX_REQUESTS)
    print(f"  (b) create_entity + send_message, no HTTP, one process:  {before}")
    single = measure_host(azurite, log_dir)
    print(f"  acknowledgement via the host, 1 worker process:  {single}")
    host = measure_host(azurite, log_dir, workers=WORKERS)
    print(f"  acknowledgement via the host, {WORKERS} worker processes:  {host}")
    after = measure_ack_floor(azurite, clients=CLIENTS, seconds=SECONDS, max_requests=MAX_REQUESTS)
    print(f"  (b) again, after the host's runs:  {after}")
    spread = measure_ack_floor(
        azurite, clients=CLIENTS, seconds=SECONDS, max_requests=MAX_REQUESTS, processes=WORKERS
    )
    print(f"  (b) in {WORKERS} processes, like for like:  {spread}")
    floor_rate = (before.per_second + after.per_second) / 2
    ratios = Ratios(
        to_floor=host.per_second / floor_rate,
        single_to_floor=single.per_second / floor_rate,
        like_for_like=host.per_second / spread.per_second,
    )
    print(
        f"  ratio to (a) bare: {host.per_second / bare.per_second:.2f}; to (b): "
        f"{ratios.to_floor:.2f} with {WORKERS} worker processes, {ratios.single_to_floor:.2f} "
        f"with 1; to (b) in {WORKERS} processes: {ratios.like_for_like:.2f}"
    )
    return ratios


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def main() -> None:
    started = time.monotonic()
    azurite = Azurite.start()
    try:
        print(f"Storage round trips per acknowledgement (in-process, Azurite, {LEADS} each)")
        new, duplicate, cold = measure_round_trips(azurite)
        print(f"  new customer:     {new}")
        print(f"  same body again:  {duplicate}")
        print(f"  cold partner:     {cold}  (partner not cached yet)")

        with tempfile.TemporaryDirectory(prefix="bench-intake-") as log_dir:
            ratios = measure_throughput(azurite, Path(log_dir))
            print(
                f"End to end: {E2E_RATE:g} deliveries/s for {E2E_SECONDS:g} s, processing on, "
                f"{WORKERS} worker processes"
            )
            # On an emulator of its own: Azurite's in-memory store slows as the throughput runs
            # fill it, which says nothing about processing.
            fresh = Azurite.start()
            try:
                e2e = measure_end_to_end(
                    fresh, Path(log_dir), rate=E2E_RATE, seconds=E2E_SECONDS,
                    drain_limit=TARGET_DRAIN, workers=WORKERS,
                )  # fmt: skip
            finally:
                fresh.stop()
            p50, p95 = e2e.quantile(50), e2e.quantile(95)
            slowest = max(e2e.latencies, default=0.0)
            print(f"  {e2e.sent} sent; acknowledgement → visible in GET /api/leads: p50 "
                  f"{p50:.2f} s, p95 {p95:.2f} s, max {slowest:.2f} s; drained "
                  f"{e2e.drain_seconds:.1f} s after the load; {e2e.missed} not seen")  # fmt: skip
    finally:
        azurite.stop()

    print(f"Summary ({time.monotonic() - started:.0f} s)")
    most = max(new.max, duplicate.max)
    print(
        f"  {_verdict(most <= TARGET_ACK)}  acknowledgement ≤ {TARGET_ACK} round trips: max {most}"
    )
    floor_ok = ratios.to_floor >= TARGET_FLOOR_RATIO
    print(
        f"  {_verdict(floor_ok)}  throughput ratio to (b) ≥ {TARGET_FLOOR_RATIO}: "
        f"{ratios.to_floor:.2f} (the host with one worker process per core; (b) in one process, "
        "as defined)"
    )
    print(
        f"  (info)  1 worker process: {ratios.single_to_floor:.2f} of (b); (b) spread over "
        f"{WORKERS} processes too: {ratios.like_for_like:.2f}"
    )
    print(f"  {_verdict(p95 <= TARGET_P95)}  end-to-end p95 ≤ {TARGET_P95:g} s: {p95:.2f} s")
    drained = e2e.missed == 0 and e2e.drain_seconds <= TARGET_DRAIN
    print(f"  {_verdict(drained)}  backlog drained ≤ {TARGET_DRAIN:g} s: {e2e.drain_seconds:.1f} s")


if __name__ == "__main__":
    main()
