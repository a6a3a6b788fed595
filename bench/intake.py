"""Lead intake (issue 3): storage round trips per delivery, and throughput through the local host.

`.venv/bin/python -m bench.intake` starts its own Azurite (in memory, free ports) and host.
"""

from __future__ import annotations

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

import requests
from azure.data.tables import TableClient

from bench._intake_floor import APP_BATCH, MINIMAL_BATCH, cpu_seconds, measure_storage_floor
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
TARGET_ACK, TARGET_RATIO = 2, 0.5


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


def measure_host(azurite: Azurite, log_dir: Path) -> Throughput:
    """The same clients posting distinct new marketplace leads to the local host."""
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    host = start_host_process(
        port=free_port(),
        log_path=log_dir / "host.log",
        env={**runtime, **app_env(azurite, "benchhost")},
    )
    sessions = [requests.Session() for _ in range(CLIENTS)]
    try:
        api = f"{host.base_url}/api"
        answer = sessions[0].post(
            f"{api}/ops/partners",
            json={"partnerId": "bench-load", "name": "Bench"},
            headers=bearer("Leads.Operator"),
            timeout=30,
        )
        answer.raise_for_status()
        url = answer.json()["intakeUrl"].replace("http://leads.bench/api", api)

        def client(number: int, session: requests.Session) -> Callable[[int], None]:
            def send(i: int) -> None:
                lead = contact_me_lead(f"c{number}-{i}")
                response = session.post(url, json=lead, timeout=30)
                if response.status_code != 200:
                    raise RuntimeError(f"intake answered {response.status_code}: {response.text}")

            return send

        return hammer(
            [client(n, session) for n, session in enumerate(sessions)],
            seconds=SECONDS,
            max_requests=MAX_REQUESTS,
        )
    finally:
        for session in sessions:
            session.close()
        if host.stop() != 0:
            print(f"  note: the host did not stop cleanly; its log:\n{host.logs()}")


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

        print(f"Throughput, {CLIENTS} concurrent clients with keep-alive, {SECONDS:g} s each")
        cpu_before = cpu_seconds(azurite)
        bare = measure_bare_create_entity(azurite)
        bare_cpu_ms = (cpu_seconds(azurite) - cpu_before) * 1000 / max(1, bare.requests)
        print(f"  bare create_entity:   {bare}; CPU (SDK + Azurite) {bare_cpu_ms:.1f} ms each")
        with tempfile.TemporaryDirectory(prefix="bench-intake-") as log_dir:
            host = measure_host(azurite, Path(log_dir))
        print(f"  intake via the host:  {host}")
        floors = {
            name: measure_storage_floor(
                azurite, batch, clients=CLIENTS, seconds=SECONDS, max_requests=MAX_REQUESTS
            )
            for name, batch in (("this app's", APP_BATCH), ("a minimal", MINIMAL_BATCH))
        }
        ratio = host.per_second / bare.per_second
        print(f"  ratio host / bare:    {ratio:.2f}")
        print("Storage calls only (read + batch + queue message; no HTTP, no app code)")
        for name, floor in floors.items():
            ceiling = floor.ceiling(os.cpu_count() or 1)
            most = ceiling / bare.per_second
            print(f"  {name} batch: {floor.throughput}, ratio "
                  f"{floor.throughput.per_second / bare.per_second:.2f}; CPU (SDK + Azurite) "
                  f"{floor.cpu_ms_per_request:.1f} ms a lead, so every core on nothing else: "
                  f"{ceiling:.0f} requests/s, ratio {most:.2f} at most")  # fmt: skip
    finally:
        azurite.stop()

    print(f"Summary ({time.monotonic() - started:.0f} s)")
    most = max(new.max, duplicate.max)
    print(
        f"  {_verdict(most <= TARGET_ACK)}  acknowledgement ≤ {TARGET_ACK} round trips: max {most}"
    )
    print(f"  {_verdict(ratio >= TARGET_RATIO)}  throughput ratio ≥ {TARGET_RATIO}: {ratio:.2f}")


if __name__ == "__main__":
    main()
