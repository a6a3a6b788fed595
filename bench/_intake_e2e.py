"""The intake journal's benchmarks: the acknowledgement's floor, and end-to-end latency.

The floor (b): what the acknowledgement must send, and nothing else: one `create_entity` of a
journal-sized entity (the body as bytes) and one small `send_message`, per request, from the
same number of clients, without HTTP or any of our code.

End to end: a steady stream of new marketplace deliveries through the local host (processing
on, as configured in host.json), and for each the time from its acknowledgement until its lead
shows in `GET /api/leads`; then how long the backlog takes to drain after the load stops.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier as BarrierType
from pathlib import Path

import requests
from azure.data.tables import TableClient
from azure.storage.queue import QueueClient

from bench._support import Throughput, app_env, contact_me_lead, hammer
from tests.support.auth import bearer
from tests.support.azurite import Azurite, free_port
from tools.localhost.process import start_host_process


def measure_ack_floor(
    azurite: Azurite, *, clients: int, seconds: float, max_requests: int, processes: int = 1
) -> Throughput:
    """(b): `clients` threads in all, in one process or spread over `processes` (a like-for-like
    reference for a host serving with as many worker processes)."""
    if processes == 1:
        return _ack_floor(azurite.connection_string, clients, seconds, max_requests)
    context = multiprocessing.get_context("spawn")
    together = context.Barrier(processes)  # handed over at spawn: a Pool could not take it
    results: multiprocessing.Queue[Throughput] = context.Queue()
    shares = [clients // processes + (n < clients % processes) for n in range(processes)]
    workers = [
        context.Process(
            daemon=True,  # a failed bench leaves none behind
            target=_ack_floor_into,
            args=(results, azurite.connection_string),
            kwargs={
                "clients": share,
                "seconds": seconds,
                "max_requests": max_requests // processes,
                "together": together,
            },
        )
        for share in shares
    ]
    for worker in workers:
        worker.start()
    try:
        runs = [results.get(timeout=seconds * 10) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=seconds)
            if worker.is_alive():
                worker.terminate()
    return Throughput(
        sum(run.requests for run in runs),
        statistics.fmean(run.seconds for run in runs),
        [latency for run in runs for latency in run.latencies],
    )


def _ack_floor_into(
    results: multiprocessing.Queue[Throughput],
    connection_string: str,
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    together: BarrierType | None = None,
) -> None:
    results.put(_ack_floor(connection_string, clients, seconds, max_requests, together))


def _ack_floor(
    connection_string: str,
    clients: int,
    seconds: float,
    max_requests: int,
    together: BarrierType | None = None,
) -> Throughput:
    table_name = f"benchack{uuid.uuid4().hex[:8]}"
    queue_name = f"benchack{uuid.uuid4().hex[:8]}"
    TableClient.from_connection_string(connection_string, table_name).create_table()
    QueueClient.from_connection_string(connection_string, queue_name).create_queue()
    tables = [
        TableClient.from_connection_string(connection_string, table_name) for _ in range(clients)
    ]
    queues = [
        QueueClient.from_connection_string(connection_string, queue_name) for _ in range(clients)
    ]
    if together is not None:
        together.wait(timeout=60)  # the processes' timed runs overlap as one run would

    def client(number: int) -> Callable[[int], None]:
        table, queue = tables[number], queues[number]

        def send(i: int) -> None:
            key = f"{number}-{i}"
            body = json.dumps(contact_me_lead(f"c{key}")).encode()
            table.create_entity({"PartitionKey": "floor", "RowKey": key, "Body0": body})
            queue.send_message(json.dumps({"deliveryId": key, "partnerId": "floor"}))

        return send

    try:
        return hammer(
            [client(n) for n in range(clients)], seconds=seconds, max_requests=max_requests
        )
    finally:
        for table in tables:
            table.close()
        for queue in queues:
            queue.close()


@dataclass(frozen=True)
class EndToEnd:
    sent: int
    latencies: list[float]  # acknowledgement → visible in GET /api/leads, seconds
    missed: int  # never seen within the drain window
    drain_seconds: float  # after the last send, until every lead was visible

    def quantile(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] if self.latencies else 0.0


def measure_end_to_end(
    azurite: Azurite,
    log_dir: Path,
    *,
    rate: float,
    seconds: float,
    drain_limit: float,
    workers: int = 1,
) -> EndToEnd:
    """`workers`: the host's worker processes (`FUNCTIONS_WORKER_PROCESS_COUNT`); processing
    runs in the first, HTTP in all."""
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    settings = {**app_env(azurite, "benche2e"), "FUNCTIONS_WORKER_PROCESS_COUNT": str(workers)}
    host = start_host_process(
        port=free_port(), log_path=log_dir / "host-e2e.log", env={**runtime, **settings}
    )
    try:
        api = f"{host.base_url}/api"
        with requests.Session() as http:
            answer = http.post(
                f"{api}/ops/partners",
                json={"partnerId": "bench-e2e", "name": "Bench"},
                headers=bearer("Leads.Operator"),
                timeout=30,
            )
            answer.raise_for_status()
        url = answer.json()["intakeUrl"].replace("http://leads.bench/api", api)
        return _run(api, url, rate=rate, seconds=seconds, drain_limit=drain_limit)
    finally:
        if host.stop() != 0:
            print(f"  note: the host did not stop cleanly; its log:\n{host.logs()}")


def _run(api: str, url: str, *, rate: float, seconds: float, drain_limit: float) -> EndToEnd:
    acknowledged: dict[str, float] = {}  # customer email → acknowledgement instant
    seen: dict[str, float] = {}
    sending = threading.Event()
    sending.set()
    reader = bearer("Referrals.Admin", partner="bench-e2e")

    def watch() -> None:
        with requests.Session() as http:
            while sending.is_set() or len(seen) < len(acknowledged):
                page = http.get(f"{api}/leads", params={"pageSize": 200}, headers=reader)
                now = time.time()
                for item in page.json().get("items", []):
                    seen.setdefault(item["customer"]["email"], now)
                if not sending.is_set() and time.time() > stop_at + drain_limit:
                    return
                time.sleep(0.2)

    stop_at = time.time() + seconds + 3600  # set for real when sending stops
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with requests.Session() as http:
        start = time.monotonic()
        for i in range(int(rate * seconds)):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))  # a steady rate
            email = f"e2e-{i}@fabrikam.de"
            lead = contact_me_lead(f"e2e-{i}")
            http.post(url, json=lead, timeout=30).raise_for_status()
            acknowledged[email] = time.time()
    stop_at = time.time()
    sending.clear()
    watcher.join(drain_limit + 30)
    latencies = [seen[email] - at for email, at in acknowledged.items() if email in seen]
    drained = max(seen.values(), default=stop_at) - stop_at
    missed = sum(email not in seen for email in acknowledged)
    return EndToEnd(len(acknowledged), latencies, missed, max(0.0, drained))
